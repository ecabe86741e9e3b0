package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sync"

	"github.com/ory/oathkeeper/spec"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// oathkeeperSchemaBase is where the embedded Oathkeeper schemas are registered. Their $id and
// $ref values are root-relative ("/.schema/config.schema.json"), so any base URL resolves them.
const oathkeeperSchemaBase = "https://oathkeeper.invalid/.schema/"

// handlerSchemas validates the `config` of Oathkeeper rule handlers against the JSON schemas
// Oathkeeper v0.40.9 embeds (package spec), the ones Oathkeeper itself checks rule configs with.
//
// Oathkeeper merges a rule's handler config over the global handler config before it validates,
// so a rule may leave out what the global config supplies: `required` is dropped from the
// schemas. Everything else (unknown keys, types, formats) is checked.
type handlerSchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	known    map[string]bool // schema file names in spec.FS
	compiled map[string]*jsonschema.Schema
}

func newHandlerSchemas() (*handlerSchemas, error) {
	h := &handlerSchemas{compiler: jsonschema.NewCompiler(), known: map[string]bool{}, compiled: map[string]*jsonschema.Schema{}}
	h.compiler.AssertFormat()
	// Oathkeeper's config schema refers to two schemas of ory/x that rule configs never use.
	for _, url := range []string{"ory://logging-config", "ory://tracing-config"} {
		if err := h.compiler.AddResource(url, map[string]any{}); err != nil {
			return nil, err
		}
	}
	err := fs.WalkDir(spec.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" || p == "api.json" || p == "swagger.json" {
			return err
		}
		raw, err := fs.ReadFile(spec.FS, p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dropRequired(doc)
		h.known[path.Base(p)] = true
		return h.compiler.AddResource(oathkeeperSchemaBase+path.Base(p), doc)
	})
	return h, err
}

// dropRequired removes every `required` keyword (an array; a property that happens to be named
// "required" is an object and stays).
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

// validate checks one handler of a Rule: kind is "authenticators", "authorizers", "mutators" or
// "errors"; config is nil when the rule sets none (the global config then applies unchanged).
func (h *handlerSchemas) validate(kind, handler string, config any) error {
	file := kind + "." + handler + ".schema.json"
	if !h.known[file] {
		return fmt.Errorf("Oathkeeper has no %s handler %q", kind, handler)
	}
	if config == nil {
		return nil
	}
	h.mu.Lock()
	sch, ok := h.compiled[file]
	if !ok {
		var err error
		if sch, err = h.compiler.Compile(oathkeeperSchemaBase + file); err != nil {
			h.mu.Unlock()
			return err
		}
		h.compiled[file] = sch
	}
	h.mu.Unlock()
	// Round-trip through JSON so numbers have the representation the validator expects.
	raw, err := json.Marshal(config)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return sch.Validate(doc)
}
