// Package istiodrules checks the values the function writes into Istio objects with
// the rules istiod's validating webhook applies to them (istio.io/istio
// pkg/config/validation, the version test/istio pins). The API server's CRD schema
// check lets all of these values through; istiod refuses the whole object on apply,
// so a `kubectl apply` or a GitOps sync of the render fails, and the Kyma controller
// would fail the same way in the cluster. The renderer calls these checks with the
// values it is about to write and reports a refusal as an error at the APIRule field
// (or config key, or input object) the value comes from.
//
// Each function covers one kind of value and returns nil or an error that says what
// istiod refuses and why, worded for the APIRule author. The rules are written from
// istiod's code, not imported: istio.io/istio is far too heavy for the function. The
// differential test module test/istio runs istiod's own validation over everything the
// function renders and shows that the two agree.
//
// Only refusals live here. istiod's warnings (an unreachable route, the legacy gateway
// spelling) are the business of package checks.
package istiodrules
