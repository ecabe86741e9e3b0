// Package schema checks an APIRule against the OpenAPI schema and CEL rules of its
// version's CustomResourceDefinition, the check the Kubernetes API server makes before the
// Kyma controller ever sees an APIRule. At render time nobody makes it unless the function
// does, and the renderers (and their validation ported from the controller) assume input
// that already passed it.
//
// The schemas come from copies of the upstream CRDs embedded in crds/ (see crds/README.md):
// v1beta1, v2alpha1 and v2 from the current CRD, v1alpha1 from the last CRD that served it.
// They are compiled once, on first use.
//
// What is checked, as the API server does it (k8s.io/apiextensions-apiserver with
// k8s.io/kube-openapi's validator):
//   - required properties, and the JSON types object, array, string, integer, number and
//     boolean. Integers may arrive as any Go integer type (YAML decoders produce int) or as an
//     integral float64 (JSON 8e3), which the API server accepts as an integer too;
//   - pattern (Go RE2 regexp, unanchored search, exactly what the API server runs),
//     minLength/maxLength counted in Unicode code points, minimum/maximum, minItems/maxItems,
//     enum, and the formats int32, int64 and duration;
//   - nullable: a null value of a non-nullable property is dropped, as the API server drops it
//     before validation, so `jwt:` with nothing after it counts as absent (and a required
//     property given as null is missing); a null array item is a type error;
//   - x-kubernetes-preserve-unknown-fields: unknown keys are allowed there, known ones are
//     still checked;
//   - the CEL x-kubernetes-validations rules, each hand-coded in Go (cel.go). A rule the
//     package does not know makes compilation fail, so a new CRD copy cannot skip one.
//
// Where it is deliberately stricter than the API server:
//   - unknown fields are violations. The API server prunes them silently (or reports them
//     only with `kubectl --validate=strict`); for an APIRule a misspelt `noauth:` or `jtw:`
//     would silently change what a rule protects, so here it is an error;
//   - metadata.name and metadata.namespace are required (the function needs both to name and
//     place what it renders; the API server takes the namespace from the request URL and
//     accepts generateName). Their format is checked as the API server does: a DNS-1123
//     subdomain and a DNS-1123 label. Nothing else in metadata is checked.
//
// status is ignored, as the API server ignores it when an object with a status subresource is
// created. Values that are not JSON-like (for example time.Time, which go-yaml produces for an
// unquoted timestamp) are reported as type errors: decode through JSON to avoid them.
package schema
