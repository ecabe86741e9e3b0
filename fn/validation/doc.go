// Package validation is the Kyma API Gateway controller's semantic validation of
// APIRules, reproduced at render time: the checks that run after the CRD schema has
// accepted an object and before the controller writes any sub-resource.
//
// Parity is the point: every Failure carries the controller's attribute path (with
// the leading dot the controller writes, e.g. ".spec.rules[0].jwt.authentications")
// and its message verbatim, including upstream's odd paths and wording, and the
// checks run in the controller's order. Where a check needs cluster state (target
// Services, Gateways, VirtualServices occupying a host, the mesh's extension
// providers) it asks a *cluster.View, which answers from the render input and the
// function config.
//
// The package returns plain Failures rather than render findings so that package
// render can depend on it without an import cycle; render converts them.
//
// Files: v2.go holds the v2/v2alpha1 validation and the gateway discovery that
// precedes it; v1beta1.go the v1beta1 (and converted v1alpha1) validation; jwt.go the
// JWT checks both share; target.go the target Service resolution both share.
package validation
