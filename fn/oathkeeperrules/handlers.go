package oathkeeperrules

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Handler kinds of a Rule that carry configs the function writes.
const (
	Authenticators = "authenticators"
	Mutators       = "mutators"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// schemaBase is where the schemas are registered; their $id and $ref values are
// root-relative ("/.schema/config.schema.json"), so any base resolves them.
const schemaBase = "https://oathkeeper.invalid/.schema/"

// ConfigError is one schema violation in a handler config: Path is the place inside
// the config as a field path (".headers.X-User"), "" for the config itself.
// UnknownHandler marks the error about the handler's name instead.
type ConfigError struct {
	Path, Message  string
	UnknownHandler bool
}

func (e ConfigError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// HandlerConfig validates the config of a Rule handler of kind (Authenticators or
// Mutators) against Oathkeeper's schema for it. config is the raw JSON (nil when the
// Rule sets none, which only checks that the handler exists). An unknown handler is
// one ConfigError; otherwise each violation is one, in the validator's order.
func HandlerConfig(kind, handler string, config json.RawMessage) []ConfigError {
	s, err := loadSchemas()
	if err != nil {
		return []ConfigError{{Message: "cannot load Oathkeeper's handler schemas: " + err.Error()}}
	}
	sch, ok := s.byHandler[kind+"."+handler]
	if !ok {
		return []ConfigError{{UnknownHandler: true, Message: fmt.Sprintf("Oathkeeper has no %s handler %q (it knows %s)", strings.TrimSuffix(kind, "s"), handler, s.names(kind))}}
	}
	c := bytes.TrimSpace(config)
	if len(c) == 0 || string(c) == "null" {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(c))
	if err != nil {
		return []ConfigError{{Message: "the config is not JSON: " + err.Error()}}
	}
	verr, ok := sch.Validate(doc).(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	var out []ConfigError
	leaves(verr, func(e *jsonschema.ValidationError) {
		out = append(out, ConfigError{Path: fieldPath(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(printer)})
	})
	return out
}

var printer = message.NewPrinter(language.English)

// leaves calls f with each violation that has no causes: the specific ones, not the
// "validation failed" summaries above them.
func leaves(e *jsonschema.ValidationError, f func(*jsonschema.ValidationError)) {
	if len(e.Causes) == 0 {
		f(e)
		return
	}
	for _, c := range e.Causes {
		leaves(c, f)
	}
}

// fieldPath turns an instance location into a field path: ["headers", "X-A"] →
// ".headers.X-A", ["jwks_urls", "0"] → ".jwks_urls[0]".
func fieldPath(location []string) string {
	var b strings.Builder
	for _, p := range location {
		if isIndex(p) {
			b.WriteString("[" + p + "]")
		} else {
			b.WriteString("." + p)
		}
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type schemas struct {
	byHandler map[string]*jsonschema.Schema
}

func (s *schemas) names(kind string) string {
	var names []string
	for k := range s.byHandler {
		if h, ok := strings.CutPrefix(k, kind+"."); ok {
			names = append(names, h)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// loadSchemas compiles every handler schema once.
var loadSchemas = sync.OnceValues(func() (*schemas, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// The config schema refers to two schemas of ory/x that handler configs never use.
	for _, url := range []string{"ory://logging-config", "ory://tracing-config"} {
		if err := c.AddResource(url, map[string]any{}); err != nil {
			return nil, err
		}
	}
	files, err := fs.Glob(schemaFS, "schemas/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		raw, err := schemaFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		dropRequired(doc)
		if err := c.AddResource(schemaBase+path.Base(f), doc); err != nil {
			return nil, err
		}
	}
	s := &schemas{byHandler: map[string]*jsonschema.Schema{}}
	for _, f := range files {
		name, ok := strings.CutSuffix(path.Base(f), ".schema.json")
		if !ok || name == "config" {
			continue
		}
		sch, err := c.Compile(schemaBase + path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		s.byHandler[name] = sch
	}
	return s, nil
})

// dropRequired removes every `required` keyword (an array; a property named
// "required" is an object and stays): Oathkeeper validates the merged config.
func dropRequired(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, isKeyword := v["required"].([]any); isKeyword {
			delete(v, "required")
		}
		for _, child := range v {
			dropRequired(child)
		}
	case []any:
		for _, child := range v {
			dropRequired(child)
		}
	}
}
