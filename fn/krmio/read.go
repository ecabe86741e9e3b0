package krmio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList API versions accepted on input.
var resourceListVersions = map[string]bool{
	"config.kubernetes.io/v1":       true,
	"config.kubernetes.io/v1beta1":  true,
	"config.kubernetes.io/v1alpha1": true,
}

// Input is what was read.
type Input struct {
	// Wrapped is true when the input was a ResourceList; APIVersion is its apiVersion.
	Wrapped    bool
	APIVersion string
	// Items are the raw item nodes, in order. They are not checked here: an item may
	// be null, a scalar or a list, which the processor reports with its position.
	Items []*yaml.Node
	// FunctionConfig is nil when absent or null.
	FunctionConfig *yaml.Node
	// ItemsNotList is set when a ResourceList's items field is not a sequence.
	ItemsNotList bool
	// Bytes is the size of the input.
	Bytes int64
}

// ErrTooLarge is returned when the input exceeds the byte limit.
var ErrTooLarge = errors.New("input too large")

// ReadAll reads r up to limit bytes (0: unlimited); more than that is ErrTooLarge.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		return io.ReadAll(r)
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes (raise maxInputBytes in the function config)", ErrTooLarge, limit)
	}
	return b, nil
}

// Parse reads a ResourceList or a plain multi-document stream. A single document of
// kind ResourceList is unwrapped; anything else is a stream of items (a ResourceList
// among several documents stays an item, for the processor to reject).
func Parse(data []byte) (*Input, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, err
	}
	in := &Input{Items: docs}
	if len(docs) == 1 && docs[0].Kind == yaml.MappingNode {
		if apiVersion, kind := typeOf(docs[0]); kind == "ResourceList" && resourceListVersions[apiVersion] {
			in = unwrap(docs[0], apiVersion)
		}
	}
	in.Bytes = int64(len(data))
	return in, nil
}

func documents(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == yaml.NodeTagNull && isEmptyDoc(root) {
			continue
		}
		docs = append(docs, root)
	}
}

// isEmptyDoc tells an empty document (a stray "---") from an explicit null item.
func isEmptyDoc(n *yaml.Node) bool { return n.Value == "" && n.Style == 0 }

func unwrap(rl *yaml.Node, apiVersion string) *Input {
	in := &Input{Wrapped: true, APIVersion: apiVersion}
	for i := 0; i+1 < len(rl.Content); i += 2 {
		k, v := rl.Content[i].Value, rl.Content[i+1]
		switch k {
		case "items":
			switch {
			case v.Kind == yaml.SequenceNode:
				in.Items = v.Content
			case v.Tag == yaml.NodeTagNull:
			default:
				in.ItemsNotList = true
			}
		case "functionConfig":
			if v.Tag != yaml.NodeTagNull {
				in.FunctionConfig = v
			}
		}
	}
	return in
}

// typeOf returns apiVersion and kind of a mapping node ("" when absent or not strings).
func typeOf(n *yaml.Node) (apiVersion, kind string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			continue
		}
		switch n.Content[i].Value {
		case "apiVersion":
			apiVersion = strings.TrimSpace(v.Value)
		case "kind":
			kind = strings.TrimSpace(v.Value)
		}
	}
	return apiVersion, kind
}
