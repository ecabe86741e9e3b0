package checks

// The checks of this file report what the render took for granted: a Gateway or a
// Service that the APIRule refers to and the input does not hold. The renderers record
// each such reference (APIRule.Assumptions) and render as if the object existed, as
// the controller would; the message says what was assumed and which config key makes
// it explicit.

var assumedGateway = &Check{
	ID: "AF701", Severity: Low,
	Why: "the Gateway the APIRule names is not in the input, so the function assumed it (and its domain): if it does not exist in the cluster or serves other hosts, the routes do not work",
	Fix: "add the Gateway to the input, or set gateways[\"<namespace>/<name>\"] (its domain) in the function config",
	Run: reportAssumed("Gateway"),
}

var assumedService = &Check{
	ID: "AF702", Severity: Low,
	Why: "a Service the APIRule routes to is not in the input, so the function assumed it (and its selector): if it does not exist in the cluster or selects other pods, the routes and policies miss the workload",
	Fix: "add the Service to the input, or set serviceSelectors[\"<namespace>/<name>\"] in the function config",
	Run: reportAssumed("Service"),
}

// References are the checks that read only what the renderers assumed; they also run
// on an APIRule that failed, whose assumptions may be why.
var References = []*Check{assumedGateway, assumedService}

// reportAssumed reports each assumption about an object of the kind.
func reportAssumed(kind string) func(*Render, *Report) {
	return func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for _, a := range ar.Assumptions {
				if a.Kind == kind {
					rep.At(ar, a.Path, "%s", a.Message)
				}
			}
		}
	}
}
