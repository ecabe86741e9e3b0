package apirule

import "slices"

// How the controller routes and protects v1beta1 rules: facts the renderer builds
// the objects from and the checks read the hazards from. istio is set under the
// Istio JWT handler.

// FirstOfPath maps each rule to the first rule with the same path (itself when it is
// the first): the controller routes only those, with their own settings.
func (a *V1beta1APIRule) FirstOfPath() []int {
	first := map[string]int{}
	out := make([]int, len(a.Spec.Rules))
	for i, rule := range a.Spec.Rules {
		if _, ok := first[rule.Path]; !ok {
			first[rule.Path] = i
		}
		out[i] = first[rule.Path]
	}
	return out
}

// Direct reports whether the rule's route goes straight to the Service rather than
// through the Oathkeeper proxy: rules with only allow/no_auth, and jwt rules under
// the Istio handler (Istio checks the token).
func (r *V1beta1Rule) Direct(istio bool) bool {
	return !r.SecuredByOathkeeper() || (istio && r.JWTSecured())
}

// RestrictsMethods reports whether the route matches the rule's methods only: under
// the Ory handler only no_auth rules do (restricting the others would have broken
// existing APIRules), under the Istio handler every rule without allow.
func (r *V1beta1Rule) RestrictsMethods(istio bool) bool {
	if istio {
		return !r.HasStrategy(StrategyAllow)
	}
	return r.HasStrategy(StrategyNoAuth)
}

// OathkeeperAuthenticators are the strategies that become the authenticators of the
// rule's Oathkeeper Rule: all of them for a rule secured by Oathkeeper, and under the
// Istio handler only noop and oauth2_introspection (none: no Rule).
func (r *V1beta1Rule) OathkeeperAuthenticators(istio bool) []*Handler {
	if !r.SecuredByOathkeeper() {
		return nil
	}
	if !istio {
		return r.AccessStrategies
	}
	var out []*Handler
	for _, h := range r.AccessStrategies {
		if h.Handler == StrategyNoop || h.Handler == StrategyOAuth2Introspection {
			out = append(out, h)
		}
	}
	return out
}

// HasAuthorizationPolicies reports whether the Istio handler makes
// AuthorizationPolicies for the APIRule: when some rule uses jwt or no_auth (then
// for every rule).
func (a *V1beta1APIRule) HasAuthorizationPolicies() bool {
	return slices.ContainsFunc(a.Spec.Rules, func(rule V1beta1Rule) bool {
		return rule.JWTSecured() || rule.HasStrategy(StrategyNoAuth)
	})
}

// PolicyPath is the AuthorizationPolicy path of a v1beta1 rule under the Istio
// handler: the regex catch-all "/.*" becomes "/*", every other path is taken
// literally (and Istio reads "{*}" and "{**}" in it as path templates).
func PolicyPath(path string) string {
	if path == "/.*" {
		return "/*"
	}
	return path
}
