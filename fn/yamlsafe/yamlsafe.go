package yamlsafe

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// node decodes n, the depth-th nested mapping or sequence if it is one.
func (d *decoder) node(n *yaml.Node, path string, depth int) (any, error) {
	if d.lim.MaxDepth > 0 && depth > d.lim.MaxDepth && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		return nil, d.fail(path, "nesting deeper than %d levels (raise maxDepth in the function config)", d.lim.MaxDepth)
	}
	if n.Anchor != "" {
		return nil, d.fail(path, "YAML anchors (&%s) are not allowed: decoders expand aliases differently; write the value out", Escape(n.Anchor))
	}
	switch n.Kind {
	case yaml.DocumentNode, 0: // 0: the zero Node of an empty document
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
	return nil, d.fail(path, "unsupported YAML node kind %d", n.Kind)
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
			return nil, d.fail(path, "mapping key %q must be a string (tag %s)", k.Value, Escape(k.Tag))
		}
		if isPlain(k) && yaml11Bools[k.Value] {
			return nil, d.fail(path, "ambiguous key %s: YAML 1.1 (kubectl) reads it as a boolean, YAML 1.2 as a string; quote it", k.Value)
		}
		child := Escape(k.Value)
		if path != "" {
			child = path + "." + child
		}
		if _, dup := out[k.Value]; dup {
			return nil, d.fail(child, "duplicate key %q: kyaml would use the first value and the API server the last; remove one", k.Value)
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
	plain := isPlain(n)
	if plain && yaml11Bools[n.Value] {
		return nil, d.fail(path, "ambiguous value %s: YAML 1.1 (kubectl) reads it as a boolean, YAML 1.2 as a string; quote it or write true/false", n.Value)
	}
	switch n.ShortTag() {
	case yaml.NodeTagString:
		return n.Value, nil
	case timestampTag:
		// Plain dates and times: sigs.k8s.io/yaml keeps the text, and so do we.
		return n.Value, nil
	case yaml.NodeTagNull:
		return nil, nil
	case yaml.NodeTagBool:
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, d.fail(path, "invalid boolean %q", n.Value)
		}
		return b, nil
	case yaml.NodeTagInt:
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, d.fail(path, "integer %q out of range", n.Value)
		}
		if plain && isOctalish(n.Value) {
			return nil, d.fail(path, "ambiguous number %s: YAML 1.1 reads a leading 0 as octal; quote it or drop the 0", n.Value)
		}
		return i, nil
	case yaml.NodeTagFloat:
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, d.fail(path, "invalid number %q", n.Value)
		}
		return f, nil
	}
	return nil, d.fail(path, "YAML tag %s is not allowed", Escape(n.Tag))
}

const timestampTag = "!!timestamp"

// isPlain reports whether n is written without quotes, block style or an explicit
// tag: only such scalars are resolved by the YAML version's rules.
func isPlain(n *yaml.Node) bool {
	return n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) == 0
}

func isOctalish(s string) bool {
	s = strings.ReplaceAll(strings.TrimLeft(s, "+-"), "_", "")
	return len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9'
}

// Escape writes control, format and other non-printable characters, and bytes that
// are not UTF-8, as Go escapes (\x1b, \u202e), so that a message cannot forge lines
// or terminal sequences. Printable text, backslashes included, is kept: Escape of
// an escaped string changes nothing.
func Escape(s string) string {
	if isPrintable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func isPrintable(s string) bool {
	for i, r := range s {
		if !unicode.IsPrint(r) || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			return false
		}
	}
	return true
}
