package schema

import (
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// node is one compiled schema node: the subset of OpenAPI v3 that CRD structural schemas use.
// Pointers are nil when the keyword is absent.
type node struct {
	typ             string // "object", "array", "string", "integer", "number", "boolean"; "" = anything
	format          string
	nullable        bool
	preserveUnknown bool // x-kubernetes-preserve-unknown-fields

	properties map[string]*node
	names      []string // keys of properties, sorted: the walk order
	required   []string
	additional *node // additionalProperties
	items      *node

	enum                 []any
	pattern              *regexp.Regexp
	minLength, maxLength *int64
	minItems, maxItems   *int64
	minimum, maximum     *float64
	exclusiveMin         bool
	exclusiveMax         bool

	rules []rule // x-kubernetes-validations
}

// anything is the schema of the parts of an APIRule that are not checked against the CRD.
var anything = &node{preserveUnknown: true}

// crd is the part of a CustomResourceDefinition the compiler reads.
type crd struct {
	Spec struct {
		Versions []struct {
			Name   string `yaml:"name"`
			Schema struct {
				OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		} `yaml:"versions"`
	} `yaml:"spec"`
}

// compileAll compiles, for each version in sources, that version's schema from the named file.
func compileAll(fsys fs.FS, sources map[string]string) (map[string]*node, error) {
	out := map[string]*node{}
	parsed := map[string]*crd{} // a file serves several versions; parse it once
	for version, file := range sources {
		c := parsed[file]
		if c == nil {
			raw, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, err
			}
			c = &crd{}
			if err := yaml.Unmarshal(raw, c); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			parsed[file] = c
		}
		for _, v := range c.Spec.Versions {
			if v.Name != version {
				continue
			}
			root, err := compileRoot(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s, version %s: %w", file, version, err)
			}
			out[version] = root
		}
		if out[version] == nil {
			return nil, fmt.Errorf("%s has no version %s", file, version)
		}
	}
	return out, nil
}

// compileRoot compiles the schema of a whole APIRule. metadata and status are not compiled:
// metadata has its own check (meta.go) and status is ignored, so both accept anything.
func compileRoot(s map[string]any) (*node, error) {
	props, ok := s["properties"].(map[string]any)
	if !ok || props["spec"] == nil {
		return nil, fmt.Errorf("root schema has no spec property")
	}
	checked := map[string]any{}
	for name, sub := range props {
		if name != "metadata" && name != "status" {
			checked[name] = sub
		}
	}
	top := map[string]any{}
	for k, v := range s {
		top[k] = v
	}
	top["properties"] = checked
	root, err := compileNode(top, "")
	if err != nil {
		return nil, err
	}
	root.properties["metadata"] = anything
	root.properties["status"] = anything
	root.names = append(root.names, "metadata", "status")
	sort.Strings(root.names)
	return root, nil
}

// compileNode compiles one schema node; at names its place for error messages. Every keyword
// must be known: one this package does not implement is an error rather than a silently
// skipped check.
func compileNode(s map[string]any, at string) (*node, error) {
	n := &node{}
	for key, val := range s {
		var err error
		switch key {
		case "description", "title", "example":
		case "type":
			n.typ, err = str(val)
		case "format":
			n.format, err = str(val)
		case "nullable":
			n.nullable, err = boolean(val)
		case "x-kubernetes-preserve-unknown-fields":
			n.preserveUnknown, err = boolean(val)
		case "properties": // errors of sub-schemas name their own place
			if err := n.compileProperties(val, at); err != nil {
				return nil, err
			}
		case "additionalProperties":
			if n.additional, err = compileChild(val, at+".*"); err != nil {
				return nil, err
			}
		case "items":
			if n.items, err = compileChild(val, at+"[*]"); err != nil {
				return nil, err
			}
		case "required":
			n.required, err = strs(val)
		case "enum":
			n.enum, err = scalars(val)
		case "pattern":
			err = n.compilePattern(val)
		case "minLength":
			n.minLength, err = count(val)
		case "maxLength":
			n.maxLength, err = count(val)
		case "minItems":
			n.minItems, err = count(val)
		case "maxItems":
			n.maxItems, err = count(val)
		case "minimum":
			n.minimum, err = number(val)
		case "maximum":
			n.maximum, err = number(val)
		case "exclusiveMinimum":
			n.exclusiveMin, err = boolean(val)
		case "exclusiveMaximum":
			n.exclusiveMax, err = boolean(val)
		case "x-kubernetes-validations":
			n.rules, err = compileRules(val)
		default:
			err = fmt.Errorf("schema keyword %q is not implemented", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", orRoot(at), key, err)
		}
	}
	if err := n.checkFormat(at); err != nil {
		return nil, err
	}
	for _, r := range n.rules {
		if r.self != n.typ {
			return nil, fmt.Errorf("%s: CEL rule %q is written for type %s, the schema has type %q", orRoot(at), r.text, r.self, n.typ)
		}
	}
	return n, nil
}

func (n *node) compileProperties(val any, at string) error {
	m, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("not a mapping")
	}
	n.properties = make(map[string]*node, len(m))
	for name, sub := range m {
		child, err := compileChild(sub, join(at, name))
		if err != nil {
			return err
		}
		n.properties[name] = child
		n.names = append(n.names, name)
	}
	sort.Strings(n.names)
	return nil
}

// compilePattern compiles a pattern with Go's regexp, the engine the API server uses (it
// rejects a CRD whose pattern does not compile there). The CRD authors may have meant
// ECMA-262; where the two differ, RE2's reading is what a cluster enforces.
func (n *node) compilePattern(val any) error {
	p, err := str(val)
	if err != nil {
		return err
	}
	n.pattern, err = regexp.Compile(p)
	return err
}

// checkFormat accepts the formats the API server validates for the node's type (int32/int64,
// float/double and duration are the ones the APIRule CRDs use) and refuses the rest, so a new
// format in a future CRD copy is noticed.
func (n *node) checkFormat(at string) error {
	ok := n.format == ""
	switch n.typ {
	case "integer":
		ok = ok || n.format == "int32" || n.format == "int64"
	case "number":
		ok = ok || n.format == "float" || n.format == "double"
	case "string":
		ok = ok || n.format == "duration"
	}
	if !ok {
		return fmt.Errorf("%s: format %q for type %q is not implemented", orRoot(at), n.format, n.typ)
	}
	return nil
}

func compileChild(val any, at string) (*node, error) {
	m, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: schema is not a mapping", orRoot(at))
	}
	return compileNode(m, at)
}

func orRoot(at string) string {
	if at == "" {
		return "<root>"
	}
	return at
}

func str(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %T", v)
	}
	return s, nil
}

func boolean(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want a boolean, got %T", v)
	}
	return b, nil
}

func list(v any) ([]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list, got %T", v)
	}
	return l, nil
}

// scalars reads an enum: only strings, numbers and booleans, which compare with ==.
func scalars(v any) ([]any, error) {
	l, err := list(v)
	if err != nil {
		return nil, err
	}
	for _, e := range l {
		switch e.(type) {
		case string, bool, int, float64:
		default:
			return nil, fmt.Errorf("enum value %v of type %T is not implemented", e, e)
		}
	}
	return l, nil
}

func strs(v any) ([]string, error) {
	l, err := list(v)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, e := range l {
		if out[i], err = str(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func number(v any) (*float64, error) {
	f, ok := toFloat(v)
	if !ok {
		return nil, fmt.Errorf("want a number, got %T", v)
	}
	return &f, nil
}

func count(v any) (*int64, error) {
	f, ok := toFloat(v)
	if !ok || f < 0 || f != math.Trunc(f) {
		return nil, fmt.Errorf("want a non-negative integer, got %v", v)
	}
	i := int64(f)
	return &i, nil
}

// quote renders a value the way field errors print it: strings quoted, other values as JSON.
func quote(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}
