package krmio

//lint:file-ignore SA1019 the legacy config.k8s.io path/index/id annotations are written on purpose, for kpt and kustomize versions that still read them

import (
	"bufio"
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Output is what is written.
type Output struct {
	// Wrapped writes a ResourceList of APIVersion; otherwise a plain stream of items.
	Wrapped        bool
	APIVersion     string
	Items          []*yaml.RNode
	FunctionConfig *yaml.Node
	Results        framework.Results
	// StripReaderAnnotations removes the index and path annotations a reader or
	// orchestrator added (standalone mode prints clean manifests).
	StripReaderAnnotations bool
}

// Write writes out item by item. A ResourceList comes out byte for byte as kyaml's
// writer would print it: header, each item as a one-element block sequence, then
// functionConfig and results.
func Write(w io.Writer, out *Output) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if out.Wrapped {
		if err := writeWrapped(bw, out); err != nil {
			return err
		}
	} else if err := writeStream(bw, out); err != nil {
		return err
	}
	return bw.Flush()
}

func writeWrapped(w io.Writer, out *Output) error {
	if _, err := fmt.Fprintf(w, "apiVersion: %s\nkind: ResourceList\n", out.APIVersion); err != nil {
		return err
	}
	if len(out.Items) == 0 {
		if _, err := io.WriteString(w, "items: []\n"); err != nil {
			return err
		}
	} else {
		if _, err := io.WriteString(w, "items:\n"); err != nil {
			return err
		}
		for _, it := range out.Items {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{it.YNode()}}
			if err := encode(w, seq, it); err != nil {
				return err
			}
		}
	}
	tail := &yaml.Node{Kind: yaml.MappingNode}
	if out.FunctionConfig != nil {
		tail.Content = append(tail.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "functionConfig"}, out.FunctionConfig)
	}
	if len(out.Results) > 0 {
		rn, err := resultsNode(out.Results)
		if err != nil {
			return err
		}
		tail.Content = append(tail.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "results"}, rn)
	}
	if len(tail.Content) == 0 {
		return nil
	}
	return encode(w, tail, nil)
}

func writeStream(w io.Writer, out *Output) error {
	for i, it := range out.Items {
		if out.StripReaderAnnotations {
			for _, a := range []string{kioutil.IndexAnnotation, kioutil.LegacyIndexAnnotation,
				kioutil.PathAnnotation, kioutil.LegacyPathAnnotation, kioutil.SeqIndentAnnotation,
				kioutil.IdAnnotation, kioutil.LegacyIdAnnotation} {
				_, _ = it.Pipe(yaml.ClearAnnotation(a))
			}
			_ = yaml.ClearEmptyAnnotations(it)
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if err := encode(w, it.YNode(), it); err != nil {
			return err
		}
	}
	return nil
}

// encode writes one node with kyaml's encoder settings; the item's seqindent
// annotation (set by kyaml readers) picks the sequence style, as kyaml does.
func encode(w io.Writer, n *yaml.Node, item *yaml.RNode) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if item != nil && item.GetAnnotations()[kioutil.SeqIndentAnnotation] == string(yaml.WideSequenceStyle) {
		enc.DefaultSeqIndent()
	}
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return enc.Close()
}

func resultsNode(rs framework.Results) (*yaml.Node, error) {
	b, err := yaml.Marshal(rs)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return doc.Content[0], nil
}
