package schema

import (
	"embed"
	"errors"
	"fmt"
	"sync"
)

// Violation is one schema failure.
type Violation struct {
	// Path locates the offending value, like "spec.rules[2].jwt.authentications[0].issuer"
	// (no leading dot), as the API server prints field paths.
	Path string
	// Message says what is wrong, worded like the API server's field errors, for example
	// `Required value` or `Unsupported value: "get": supported values: "GET", ...`.
	Message string
}

// String renders the violation as the API server renders a field error: "path: message".
func (v Violation) String() string { return v.Path + ": " + v.Message }

// ErrUnknownVersion is returned by Validate for a version without an embedded schema.
var ErrUnknownVersion = errors.New("no APIRule schema for this version")

//go:embed crds/*.yaml
var crdFiles embed.FS

// sources tells which embedded CRD file serves which APIRule version. v1beta1 is also in the
// v1alpha1-era file, in an older shape; the current CRD's v1beta1 is the one that counts.
var sources = map[string]string{
	"v1alpha1": "crds/apirules.gateway.kyma-project.io-v1alpha1-era.yaml",
	"v1beta1":  "crds/apirules.gateway.kyma-project.io.yaml",
	"v2alpha1": "crds/apirules.gateway.kyma-project.io.yaml",
	"v2":       "crds/apirules.gateway.kyma-project.io.yaml",
}

var (
	compileOnce sync.Once
	compiled    map[string]*node
	compileErr  error
)

// schemas compiles the embedded CRDs on first use. A compile error means an embedded CRD uses
// a schema feature or CEL rule this package does not implement; the tests catch that.
func schemas() (map[string]*node, error) {
	compileOnce.Do(func() { compiled, compileErr = compileAll(crdFiles, sources) })
	return compiled, compileErr
}

// Validate checks obj, a whole APIRule decoded into JSON-like values (map[string]any, []any,
// string, bool, float64 and any Go integer type), against the schema of version ("v1alpha1",
// "v1beta1", "v2alpha1" or "v2"). It returns the violations in a stable order, none when the
// API server would accept the APIRule (but see the package documentation for where the check
// is stricter). The error is non-nil only for an unknown version or a broken embedded schema.
func Validate(version string, obj map[string]any) ([]Violation, error) {
	all, err := schemas()
	if err != nil {
		return nil, err
	}
	root, ok := all[version]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownVersion, version)
	}
	var w walker
	w.metadata(obj["metadata"])
	w.value(root, obj, "")
	return w.violations, nil
}
