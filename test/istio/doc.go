// Package istio checks the function's output with Istio's own code: the validation istiod's
// admission webhook runs on every VirtualService, AuthorizationPolicy and
// RequestAuthentication (pkg/webhooks/validation/server, which looks the schema up by group
// and kind and runs pkg/config/validation), and the analyzers `istioctl analyze` runs
// (pkg/config/analysis), over the objects the conformance cases, the examples, the hostile and
// benign inputs, the fuzz corpora and a generator of random APIRules produce.
//
// It is a separate module because istio.io/istio is heavy (a cold build takes minutes) and is
// only available as an untagged pseudo-version: it must never enter the function's go.mod.
// Everything here is test code; this file only names the package.
package istio
