package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/schema"
)

// The config keys have one source: the fields of Config and the structs it embeds or
// points to. Each field's tags say everything about its key:
//
//	json:"key,omitempty"   the key (omitempty: the zero value means "not set")
//	help:"..."             what it does, for the schema's description and --help
//	enum:"a,b"             the allowed values
//	minimum:"1"            the lowest allowed number
//	pattern:"^re"          a regexp every value (every item of a list) must match
//
// and Default gives the defaults. From these come the published schema (Schema), the
// key list of --help (Help), and the structural check of Load, which runs the schema
// with package schema's validator. Rules a schema cannot state stay in Validate.
// Adding a key: add the field with its tags, its default in Default if it has one,
// a non-schema rule in Validate if it needs one, and a row in README's config table.

// specSchema is the OpenAPI schema of the config keys, as JSON-like values. published
// adds what the validator does not take (defaults, additionalProperties: false, which
// it applies anyway).
func specSchema(published bool) map[string]any {
	var defaults Config
	defaults.Default()
	return structSchema(reflect.TypeOf(Config{}), reflect.ValueOf(defaults), published)
}

func structSchema(t reflect.Type, defaults reflect.Value, published bool) map[string]any {
	props := map[string]any{}
	for _, f := range fields(t, defaults) {
		props[f.key] = f.schema(published)
	}
	s := map[string]any{"type": "object", "properties": props}
	if published {
		s["additionalProperties"] = false
	}
	return s
}

// field is one config key.
type field struct {
	key string
	reflect.StructField
	// def is the field's value in a defaulted Config.
	def reflect.Value
}

// fields lists the keys of struct t in field order, flattening embedded structs;
// defaults is a defaulted value of t.
func fields(t reflect.Type, defaults reflect.Value) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, fields(f.Type, defaults.Field(i))...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, field{key: name, StructField: f, def: defaults.Field(i)})
	}
	return out
}

func (f field) schema(published bool) map[string]any {
	s := typeSchema(f.Type, f.def, published)
	if h := f.Tag.Get("help"); h != "" && published {
		s["description"] = h
	}
	if e := f.Tag.Get("enum"); e != "" {
		var values []any
		for _, v := range strings.Split(e, ",") {
			values = append(values, v)
		}
		s["enum"] = values
	}
	if m := f.Tag.Get("minimum"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil {
			panic(fmt.Sprintf("config: field %s: minimum tag %q is not an integer", f.Name, m))
		}
		s["minimum"] = n
	}
	if p := f.Tag.Get("pattern"); p != "" {
		target := s
		if f.Type.Kind() == reflect.Slice {
			target = s["items"].(map[string]any)
		}
		target["pattern"] = p
	}
	if published && !f.def.IsZero() && f.Type.Kind() != reflect.Pointer {
		s["default"] = jsonValues(f.def.Interface())
	}
	return s
}

// typeSchema is the schema of a Go type; def is the type's default value.
func typeSchema(t reflect.Type, def reflect.Value, published bool) map[string]any {
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem(), reflect.Value{}, published)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": typeSchema(t.Elem(), reflect.Value{}, published)}
	case reflect.Pointer:
		if def.IsValid() && !def.IsNil() {
			def = def.Elem()
		} else {
			def = reflect.New(t.Elem()).Elem()
		}
		return typeSchema(t.Elem(), def, published)
	case reflect.Struct:
		if !def.IsValid() {
			def = reflect.New(t).Elem()
		}
		return structSchema(t, def, published)
	}
	panic(fmt.Sprintf("config: no schema for Go type %s", t))
}

// jsonValues turns v into JSON-like values (map[string]any, []any, ...).
func jsonValues(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// compiledSpecSchema is specSchema compiled for package schema's validator; it is
// built from constant struct tags, so an error is a bug the tests catch.
var compiledSpecSchema = sync.OnceValues(func() (*schema.Schema, error) { return schema.Compile(specSchema(false)) })

// checkSchema checks the set keys of a decoded (not yet defaulted) config against
// the schema. Zero values count as not set, as omitempty says: an empty string or a
// 0 means the default, as if the key were absent. path is "spec" or "data".
func (c *Config) checkSchema(path string) []*FieldError {
	s, err := compiledSpecSchema()
	if err != nil {
		return []*FieldError{{Message: "config schema: " + err.Error()}}
	}
	var errs []*FieldError
	for _, v := range s.Check(jsonValues(c), path) {
		errs = append(errs, &FieldError{Path: v.Path, Message: v.Message})
	}
	return errs
}

// Schema returns the function config's schema as a KRMFunctionDefinition
// (config.kubernetes.io/v1alpha1), the format kpt and kyaml use to publish function
// config schemas.
func Schema() string {
	def := map[string]any{
		"apiVersion": "config.kubernetes.io/v1alpha1",
		"kind":       "KRMFunctionDefinition",
		"metadata":   map[string]any{"name": "apiruletransformers." + Group},
		"spec": map[string]any{
			"group":       Group,
			"names":       map[string]any{"kind": Kind},
			"description": "Renders Kyma APIRules into Istio and Oathkeeper objects at render time.",
			"versions": []any{map[string]any{
				"name": strings.TrimPrefix(APIVersion, Group+"/"),
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"apiVersion": map[string]any{"type": "string"},
						"kind":       map[string]any{"type": "string"},
						"metadata":   map[string]any{"type": "object"},
						"spec":       specSchema(true),
					},
				}},
			}},
		},
	}
	b, err := yaml.Marshal(def)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Help returns the config keys for --help: each key, what it does and its default,
// wrapped to fit 100 columns.
func Help() string {
	var defaults Config
	defaults.Default()
	var b strings.Builder
	var write func(t reflect.Type, v reflect.Value, indent int)
	write = func(t reflect.Type, v reflect.Value, indent int) {
		for _, f := range fields(t, v) {
			text := f.Tag.Get("help")
			if e := f.Tag.Get("enum"); e != "" {
				text = strings.ReplaceAll(e, ",", " | ") + ". " + text
			}
			if d := defaultText(f.def); d != "" {
				text = strings.TrimSpace(text + " Default: " + d + ".")
			}
			b.WriteString(wrap(fmt.Sprintf("%*s%-*s", indent, "", 20-indent, f.key), text))
			if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
				write(f.Type.Elem(), f.def.Elem(), indent+2)
			}
		}
	}
	write(reflect.TypeOf(defaults), reflect.ValueOf(defaults), 2)
	return b.String()
}

// defaultText is a default as --help writes it, "" for none (and for structs, whose
// keys state their own).
func defaultText(v reflect.Value) string {
	if v.IsZero() && v.Kind() != reflect.Bool {
		return ""
	}
	switch v.Kind() {
	case reflect.Slice:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(items, " ")
	case reflect.Pointer, reflect.Struct:
		return ""
	}
	return fmt.Sprint(v.Interface())
}

// wrap writes "head text" with text broken into lines that fit 100 columns, the
// continuation lines indented to the text's column.
func wrap(head, text string) string {
	const width, column = 100, 22
	var b strings.Builder
	line := fmt.Sprintf("%-*s", column, head)
	if len(head) >= column {
		line = head + " "
	}
	empty := true
	for _, w := range strings.Fields(text) {
		if !empty && len(line)+1+len(w) > width {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line, empty = strings.Repeat(" ", column), true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}
