package checks

import (
	"fmt"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// v1beta1 quirks: where the controller's v1beta1 objects do something other than
// what the rules read. Each check runs on the routed rules (the first rule of each
// path) or, for AF305, on the rules that repeat a path.

var templatePolicy = &Check{
	ID: "AF304", Severity: High,
	Why: "Istio handler: a token-less rule's path with `{*}` or `{**}` is a regex in the VirtualService but a path template in the AuthorizationPolicy, which allows every path of the template on the workload, far more than the route",
	Fix: "use plain paths or `/.*` under the Istio JWT handler",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, true, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			if templateOpens(rule) {
				t := ar.V1beta1.RuleTarget(rule)
				rep.At(ar, fmt.Sprintf("spec.rules[%d].path", i),
					"path %q is a regular expression in the VirtualService, but Istio reads \"{*}\" and \"{**}\" in the AuthorizationPolicy as path templates: rule %d's token-less policy allows every path of the template on Service %s/%s's workload (%s), whatever route leads there; use plain paths or \"/.*\" under the Istio JWT handler",
					rule.Path, i, t.LookupNamespace(), t.Name, strings.Join(rule.Methods, ", "))
			}
		})
	},
}

// templateOpens is AF304's finding: a token-less rule whose path holds "{*}" or
// "{**}", which the AuthorizationPolicy reads as a path template. AF307 leaves these
// paths to AF304, so both read this one predicate.
func templateOpens(rule *apirule.V1beta1Rule) bool {
	return !rule.JWTSecured() && (strings.Contains(rule.Path, "{*}") || strings.Contains(rule.Path, "{**}"))
}

var unroutedRule = &Check{
	ID: "AF305", Severity: High,
	Why: "a v1beta1 rule repeats an earlier rule's path: the controller routes only the first rule of each path, so the later rule's requests take the first rule's route straight to the Service, without the later rule's access strategies",
	Fix: "give each rule its own path, or merge rules that share handling into one",
	Run: func(r *Render, rep *Report) { reportUnrouted(r, rep, true) },
}

var unroutedClosed = &Check{
	ID: "AF311", Severity: Low,
	Why: "a v1beta1 rule repeats an earlier rule's path and gets no route: its requests match no route (404) or take the first rule's route to Oathkeeper",
	Fix: "give each rule its own path, or merge rules that share handling into one",
	Run: func(r *Render, rep *Report) { reportUnrouted(r, rep, false) },
}

// reportUnrouted reports the rules that repeat an earlier path: those whose requests
// go straight to the Service (bypass), or the others.
func reportUnrouted(r *Render, rep *Report, bypass bool) {
	for _, ar := range r.APIRules {
		if ar.V1beta1 == nil {
			continue
		}
		rules := ar.V1beta1.Spec.Rules
		for i, j := range ar.V1beta1.FirstOfPath() {
			if i == j {
				continue
			}
			rule, first := &rules[i], &rules[j]
			methods := strings.Join(rule.Methods, ", ")
			direct := !first.RestrictsMethods(ar.IstioHandler) && first.Direct(ar.IstioHandler)
			if direct != bypass {
				continue
			}
			var effect string
			switch {
			case first.RestrictsMethods(ar.IstioHandler):
				effect = fmt.Sprintf("rule %d's route matches only %s, so requests with %s to this path match no route (404)", j, strings.Join(first.Methods, ", "), methods)
			case !first.Direct(ar.IstioHandler):
				effect = fmt.Sprintf("requests with %s take rule %d's route to Oathkeeper (with rule %d's timeout), where rule %d's own Oathkeeper Rule, if any, applies", methods, j, j, i)
			default:
				t := ar.V1beta1.RuleTarget(first)
				effect = fmt.Sprintf("requests with %s take rule %d's route straight to Service %s/%s, without rule %d's access strategies (%s)",
					methods, j, t.Namespace, t.Name, i, handlerNames(rule.AccessStrategies))
				if ar.IstioHandler {
					effect += "; only the AuthorizationPolicies of that workload still check them"
				}
			}
			rep.At(ar, fmt.Sprintf("spec.rules[%d]", i),
				"rule %d (path %q) gets no VirtualService route: the controller routes only the first rule of each path, rule %d; %s. Give each rule its own path, or merge rules that share handling into one",
				i, rule.Path, j, effect)
		}
	}
}

var slashStar = &Check{
	ID: "AF306", Severity: Low,
	Why: "a v1beta1 path with `/*` is a full-match regex in the VirtualService, where `/*` means zero or more slashes, not everything below",
	Fix: "use `.*` (for example `/.*`) to match any path",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, false, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			if strings.Contains(rule.Path, "/*") && !(ar.IstioHandler && rule.Path == "/*") {
				rep.At(ar, fmt.Sprintf("spec.rules[%d].path", i),
					"path %q is a full-match regular expression in the VirtualService, where \"/*\" means zero or more slashes, not everything below: use \".*\" (for example \"/.*\") to match any path", rule.Path)
			}
		})
	},
}

var regexPolicyPath = &Check{
	ID: "AF307", Severity: Low,
	Why: "Istio handler: a regex path is read literally by the AuthorizationPolicy (only `/.*` is translated), so most requests the route accepts are denied (403)",
	Fix: "use plain paths or `/.*` under the Istio JWT handler",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, true, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			if rule.Path != "/.*" && rule.Path != "/*" && strings.ContainsAny(rule.Path, "*?()\\+[|") && !templateOpens(rule) {
				rep.At(ar, fmt.Sprintf("spec.rules[%d].path", i),
					"path %q is a regular expression in the VirtualService, but the AuthorizationPolicy reads it as an Istio path (exact, or a prefix or suffix around one \"*\"; only \"/.*\" is translated, to \"/*\"), so most requests the route accepts are denied (403): use plain paths or \"/.*\" under the Istio JWT handler",
					rule.Path)
			}
		})
	},
}

var ignoredMutators = &Check{
	ID: "AF308", Severity: Low,
	Why: "the mutators of an allow or no_auth rule are ignored: its route goes straight to the Service",
	Fix: "remove the mutators, or secure the rule with a handler that Oathkeeper applies them for",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, false, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			if len(rule.Mutators) > 0 && !rule.SecuredByOathkeeper() {
				rep.At(ar, fmt.Sprintf("spec.rules[%d].mutators", i),
					"the mutators of rule %d are ignored: a rule with only allow/no_auth goes straight to the Service, so nothing applies them", i)
			}
		})
	},
}

var noOathkeeperRule = &Check{
	ID: "AF309", Severity: Low,
	Why: "Istio handler: a rule routed to Oathkeeper gets no Oathkeeper Rule unless it uses noop or oauth2_introspection, so Oathkeeper rejects every request",
	Fix: "use jwt, no_auth, noop or oauth2_introspection, or the ory handler",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, false, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			if ar.IstioHandler && !rule.Direct(true) && len(rule.OathkeeperAuthenticators(true)) == 0 {
				rep.At(ar, fmt.Sprintf("spec.rules[%d].accessStrategies", i),
					"rule %d (%s) is routed to Oathkeeper, but under the Istio JWT handler the controller creates Oathkeeper Rules only for noop and oauth2_introspection, so Oathkeeper rejects every request: use jwt, no_auth, noop or oauth2_introspection, or the ory handler",
					i, handlerNames(rule.AccessStrategies))
			}
		})
	},
}

var namespaceWidePolicy = &Check{
	ID: "AF104", Severity: Medium,
	Why: "Istio handler: the target Service has no selector, so its AuthorizationPolicies have none either and apply to every workload in the namespace",
	Fix: "give the Service a selector",
	Run: func(r *Render, rep *Report) {
		eachRouted(r, true, func(ar *APIRule, i int, rule *apirule.V1beta1Rule) {
			t := ar.V1beta1.RuleTarget(rule)
			if r.Selector == nil {
				return
			}
			if sel, found := r.Selector(t.LookupNamespace(), t.Name); found && len(sel) == 0 {
				rep.At(ar, fmt.Sprintf("spec.rules[%d].service", i),
					"Service %s/%s has no selector, so the AuthorizationPolicy of rule %d has none either and applies to every workload in namespace %s",
					t.LookupNamespace(), t.Name, i, t.LookupNamespace())
			}
		})
	},
}

// eachRouted calls fn for the routed rules (the first of each path) of the v1beta1
// APIRules; withPolicies restricts it to Istio-handler APIRules that get
// AuthorizationPolicies.
func eachRouted(r *Render, withPolicies bool, fn func(ar *APIRule, i int, rule *apirule.V1beta1Rule)) {
	for _, ar := range r.APIRules {
		if ar.V1beta1 == nil || (withPolicies && !(ar.IstioHandler && ar.V1beta1.HasAuthorizationPolicies())) {
			continue
		}
		for i, first := range ar.V1beta1.FirstOfPath() {
			if first == i {
				fn(ar, i, &ar.V1beta1.Spec.Rules[i])
			}
		}
	}
}

func handlerNames(hs []*apirule.Handler) string {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Handler
	}
	return strings.Join(names, ", ")
}
