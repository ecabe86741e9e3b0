package yamlsafe

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Limits bound what Decode accepts.
type Limits struct {
	MaxDepth       int
	MaxScalarBytes int
}

// Error is a refusal at a path ("spec.rules[0].path"; "" for the root).
type Error struct {
	Path, Message string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Decode converts n into map[string]any, []any, string, int64, float64, bool or nil.
func Decode(n *yaml.Node, lim Limits) (any, error) {
	d := decoder{lim: lim}
	return d.node(n, "", 1)
}

type decoder struct{ lim Limits }

func (d *decoder) fail(path, format string, a ...any) error {
	return &Error{Path: path, Message: fmt.Sprintf(format, a...)}
}

func (d *decoder) node(n *yaml.Node, path string, depth int) (any, error) {
	if d.lim.MaxDepth > 0 && depth > d.lim.MaxDepth {
		return nil, d.fail(path, "nesting deeper than %d levels (raise maxDepth in the function config)", d.lim.MaxDepth)
	}
	if n.Anchor != "" {
		return nil, d.fail(path, "YAML anchors (&%s) are not allowed: decoders expand aliases differently; write the value out", Escape(n.Anchor))
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.node(n.Content[0], path, depth)
	case yaml.AliasNode:
		return nil, d.fail(path, "YAML aliases (*%s) are not allowed: decoders expand them differently; write the value out", Escape(n.Value))
	case yaml.MappingNode:
		return d.mapping(n, path, depth)
	case yaml.SequenceNode:
		if err := d.tag(n, path, yaml.NodeTagSeq); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := d.node(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return d.scalar(n, path)
	}
	return nil, d.fail(path, "unsupported YAML node")
}

func (d *decoder) mapping(n *yaml.Node, path string, depth int) (any, error) {
	if err := d.tag(n, path, yaml.NodeTagMap); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, d.fail(path, "mapping keys must be strings, found a complex key")
		}
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			return nil, d.fail(path, "YAML merge keys (<<) are not allowed: decoders apply them differently; write the fields out")
		}
		if k.Tag != yaml.NodeTagString && k.Tag != "" {
			return nil, d.fail(path, "mapping key %q must be a string (tag %s)", Escape(k.Value), Escape(k.Tag))
		}
		child := k.Value
		if path != "" {
			child = path + "." + k.Value
		}
		if _, dup := out[k.Value]; dup {
			return nil, d.fail(child, "duplicate key %q: kyaml would use the first value and the API server the last; remove one", Escape(k.Value))
		}
		if err := d.scalarSize(k, child); err != nil {
			return nil, err
		}
		val, err := d.node(v, child, depth+1)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	return out, nil
}

func (d *decoder) tag(n *yaml.Node, path, want string) error {
	if n.Tag != "" && n.Tag != want {
		return d.fail(path, "custom YAML tag %s is not allowed", Escape(n.Tag))
	}
	return nil
}

func (d *decoder) scalarSize(n *yaml.Node, path string) error {
	if d.lim.MaxScalarBytes > 0 && len(n.Value) > d.lim.MaxScalarBytes {
		return d.fail(path, "value longer than %d bytes (raise maxScalarBytes in the function config)", d.lim.MaxScalarBytes)
	}
	return nil
}

// yaml11Bools are plain scalars that YAML 1.1 (sigs.k8s.io/yaml, kubectl) reads as
// booleans and YAML 1.2 (yaml.v3, kyaml) as strings.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

func (d *decoder) scalar(n *yaml.Node, path string) (any, error) {
	if err := d.scalarSize(n, path); err != nil {
		return nil, err
	}
	plain := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	if plain && yaml11Bools[n.Value] {
		return nil, d.fail(path, "ambiguous value %s: YAML 1.1 (kubectl) reads it as a boolean, YAML 1.2 as a string; quote it or write true/false", n.Value)
	}
	switch n.ShortTag() {
	case yaml.NodeTagString:
		return n.Value, nil
	case yaml.NodeTagNull:
		return nil, nil
	case yaml.NodeTagBool:
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, d.fail(path, "invalid boolean %q", Escape(n.Value))
		}
		return b, nil
	case yaml.NodeTagInt:
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, d.fail(path, "integer %q out of range", Escape(n.Value))
		}
		if plain && isOctalish(n.Value) {
			return nil, d.fail(path, "ambiguous number %s: YAML 1.1 reads a leading 0 as octal; quote it or drop the 0", n.Value)
		}
		return i, nil
	case yaml.NodeTagFloat:
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, d.fail(path, "invalid number %q", Escape(n.Value))
		}
		return f, nil
	}
	return nil, d.fail(path, "YAML tag %s is not allowed", Escape(n.Tag))
}

func isOctalish(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9'
}

// Escape quotes control and non-printable characters so that a message cannot
// forge lines or terminal sequences.
func Escape(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
