package schema

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// walker collects the violations of one object. The order of checks per node follows
// kube-openapi's validator: type first (nothing else is checked on a value of the wrong
// type), then the CEL rules, then the type's own constraints, then enum.
type walker struct{ violations []Violation }

func (w *walker) add(path, message string) {
	w.violations = append(w.violations, Violation{Path: path, Message: message})
}

// invalid adds an "Invalid value" violation in the API server's wording: the offending value,
// then "<path> in body <detail>".
func (w *walker) invalid(path string, value any, detail string) {
	w.add(path, "Invalid value: "+quote(value)+": "+path+" in body "+detail)
}

func (w *walker) value(n *node, v any, path string) {
	if v == nil {
		// Nulls of object properties never get here (they are dropped like the API server
		// drops them); this is a null array item or a null root.
		if n.typ != "" && !n.nullable {
			w.invalid(path, jsonType(v), "must be of type "+n.typ+": "+strconv.Quote(jsonType(v)))
		}
		return
	}
	if !hasType(n.typ, v) {
		w.invalid(path, jsonType(v), "must be of type "+n.typ+": "+strconv.Quote(jsonType(v)))
		return
	}
	for _, r := range n.rules {
		if !r.check(v) {
			w.add(path, r.failure(n.typ, v))
		}
	}
	switch v := v.(type) {
	case map[string]any:
		w.object(n, v, path)
	case []any:
		w.array(n, v, path)
	case string:
		w.string(n, v, path)
	case bool:
	default:
		w.number(n, v, path)
	}
	if n.enum != nil && !inEnum(n.enum, v) {
		w.add(path, "Unsupported value: "+quote(v)+": supported values: "+enumList(n.enum))
	}
}

// object checks required properties, then known properties in name order, then the other
// keys in key order: against additionalProperties if the schema has it, as unknown fields
// unless the node preserves them.
func (w *walker) object(n *node, m map[string]any, path string) {
	for _, name := range n.required {
		if !w.present(n.schemaFor(name), m, name) {
			w.add(join(path, name), "Required value")
		}
	}
	known := 0
	for _, name := range n.names {
		v, ok := m[name]
		if !ok {
			continue
		}
		known++
		if child := n.properties[name]; w.present(child, m, name) {
			w.value(child, v, join(path, name))
		}
	}
	if known == len(m) {
		return
	}
	extra := make([]string, 0, len(m)-known)
	for k := range m {
		if n.properties[k] == nil {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		switch {
		case n.additional != nil:
			if w.present(n.additional, m, k) {
				w.value(n.additional, m[k], join(path, k))
			}
		case !n.preserveUnknown:
			w.add(join(path, k), "Unknown field: not in the schema (the API server would prune it silently)")
		}
	}
}

// schemaFor returns the schema of property name: its own, else additionalProperties, else nil.
func (n *node) schemaFor(name string) *node {
	if p := n.properties[name]; p != nil {
		return p
	}
	return n.additional
}

// present reports whether key survives the API server's removal of nulls: a null value of a
// non-nullable property is dropped before validation, so it counts as absent.
func (w *walker) present(s *node, m map[string]any, key string) bool {
	v, ok := m[key]
	return ok && (v != nil || (s != nil && s.nullable))
}

func (w *walker) array(n *node, a []any, path string) {
	if n.minItems != nil && int64(len(a)) < *n.minItems {
		w.invalid(path, len(a), fmt.Sprintf("should have at least %d items", *n.minItems))
	}
	if n.maxItems != nil && int64(len(a)) > *n.maxItems {
		w.add(path, fmt.Sprintf("Too many: %d: must have at most %d %s", len(a), *n.maxItems, plural(*n.maxItems, "item")))
	}
	if n.items == nil {
		return
	}
	for i, item := range a {
		w.value(n.items, item, path+"["+strconv.Itoa(i)+"]")
	}
}

// string checks maxLength, minLength and pattern, reporting only the first failure as
// kube-openapi does, and the format independently of them.
func (w *walker) string(n *node, s string, path string) {
	switch length := int64(utf8.RuneCountInString(s)); {
	case n.maxLength != nil && length > *n.maxLength:
		w.add(path, fmt.Sprintf("Too long: may not be more than %d %s", *n.maxLength, plural(*n.maxLength, "character")))
	case n.minLength != nil && length < *n.minLength:
		w.invalid(path, s, fmt.Sprintf("should be at least %d chars long", *n.minLength))
	case n.pattern != nil && !n.pattern.MatchString(s):
		w.invalid(path, s, "should match '"+n.pattern.String()+"'")
	}
	if n.format == "duration" && !isDuration(s) {
		w.invalid(path, s, "must be of type duration: "+strconv.Quote(s))
	}
}

func (w *walker) number(n *node, v any, path string) {
	f, _ := toFloat(v)
	if n.format == "int32" && (f < math.MinInt32 || f > math.MaxInt32) {
		w.invalid(path, v, "must be of type integer with format int32")
	}
	if n.minimum != nil && (f < *n.minimum || n.exclusiveMin && f == *n.minimum) {
		w.invalid(path, v, bound("greater than", n.exclusiveMin, *n.minimum))
	}
	if n.maximum != nil && (f > *n.maximum || n.exclusiveMax && f == *n.maximum) {
		w.invalid(path, v, bound("less than", n.exclusiveMax, *n.maximum))
	}
}

func bound(relation string, exclusive bool, limit float64) string {
	if exclusive {
		return "should be " + relation + " " + quote(limit)
	}
	return "should be " + relation + " or equal to " + quote(limit)
}

// hasType reports whether v is a JSON value of the schema type typ ("" accepts anything).
// Like the API server, an integral float (JSON 8e3) is an integer and an integer is a number.
func hasType(typ string, v any) bool {
	switch typ {
	case "":
		return true
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := toFloat(v)
		return ok && isIntegral(f)
	case "number":
		_, ok := toFloat(v)
		return ok
	}
	return false
}

// isIntegral accepts the floats JSON can carry exactly as integers. kube-openapi also accepts
// floats within a relative 1e-9 of an integer (8000.000001); such a value cannot be a port or
// a timeout, so it is refused here.
func isIntegral(f float64) bool {
	return !math.IsInf(f, 0) && math.Abs(f) <= 1<<53 && f == math.Trunc(f)
}

// toFloat converts any Go number to float64.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// jsonType names the JSON type of v, as the API server names it in type errors.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	}
	if f, ok := toFloat(v); ok {
		if isIntegral(f) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
		ef, eok := toFloat(e)
		vf, vok := toFloat(v)
		if eok && vok && ef == vf {
			return true
		}
	}
	return false
}

func enumList(enum []any) string {
	s := ""
	for i, e := range enum {
		if i > 0 {
			s += ", "
		}
		s += quote(e)
	}
	return s
}

// join appends a property name to a field path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
