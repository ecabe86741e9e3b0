package object

import (
	"sort"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Map returns an empty block mapping node.
func Map() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap} }

// Seq returns an empty block sequence node.
func Seq() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode, Tag: yaml.NodeTagSeq} }

// Str returns a string scalar; the encoder quotes it when YAML would read it otherwise.
func Str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: s}
}

// Int returns an integer scalar.
func Int(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagInt, Value: strconv.FormatInt(i, 10)}
}

// Strs returns a sequence of string scalars.
func Strs(ss []string) *yaml.Node {
	n := Seq()
	for _, s := range ss {
		n.Content = append(n.Content, Str(s))
	}
	return n
}

// Pairs returns a mapping of the given key/value pairs in the given order.
func Pairs(kv ...any) *yaml.Node {
	n := Map()
	for i := 0; i+1 < len(kv); i += 2 {
		var v *yaml.Node
		switch x := kv[i+1].(type) {
		case *yaml.Node:
			v = x
		case string:
			v = Str(x)
		}
		n.Content = append(n.Content, Str(kv[i].(string)), v)
	}
	return n
}

// FromPlain converts a JSON-like value (map[string]any, []any, string, bool, float64,
// int64, nil) into a node with block style and sorted map keys.
func FromPlain(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		return SortedMap(x, FromPlain)
	case []any:
		n := Seq()
		for _, e := range x {
			n.Content = append(n.Content, FromPlain(e))
		}
		return n
	case string:
		return Str(x)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(x)}
	case int64:
		return Int(x)
	case int:
		return Int(int64(x))
	case float64:
		if x == float64(int64(x)) {
			return Int(int64(x))
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagFloat, Value: strconv.FormatFloat(x, 'g', -1, 64)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagNull, Value: "null"}
	}
	return Str("")
}

// SortedMap returns a mapping of m in key order, converting values with node.
func SortedMap[V any](m map[string]V, node func(V) *yaml.Node) *yaml.Node {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := Map()
	for _, k := range keys {
		n.Content = append(n.Content, Str(k), node(m[k]))
	}
	return n
}
