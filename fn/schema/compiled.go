package schema

// Schema is a compiled OpenAPI v3 schema other than an APIRule CRD's, such as the
// function config's. It supports the keywords and checks described in the package
// documentation, except metadata and CEL.
type Schema struct{ root *node }

// Compile compiles an OpenAPI v3 schema given as JSON-like values. As for the CRDs, a
// keyword this package does not implement is an error; "default" is one of them,
// because applying defaults is the caller's business.
func Compile(s map[string]any) (*Schema, error) {
	root, err := compileNode(s, "")
	if err != nil {
		return nil, err
	}
	return &Schema{root: root}, nil
}

// Check validates v (JSON-like values, as for Validate) and returns the violations in
// a stable order; their paths start with path (e.g. "spec").
func (s *Schema) Check(v any, path string) []Violation {
	var w walker
	w.value(s.root, v, path)
	return w.violations
}
