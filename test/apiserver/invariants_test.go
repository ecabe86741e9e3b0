package apiserver

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Security invariants over everything the function generates (security-notes §2). Each test
// walks every run and ties objects back to their APIRule through the name/namespace labels.

// view is a run with its APIRules and generated objects indexed.
type view struct {
	run
	rules map[string]*apiRule
	owner map[int]*apiRule // index in outputs -> owning APIRule
}

func views(t *testing.T) []view {
	t.Helper()
	var out []view
	for _, r := range producedRuns(t) {
		v := view{run: r, rules: apiRules(r), owner: map[int]*apiRule{}}
		for i, o := range r.outputs {
			if a, err := ownerOf(v.rules, o); err == nil {
				v.owner[i] = a
			}
		}
		out = append(out, v)
	}
	return out
}

// objects returns the generated objects of a kind, with their owners; owner nil means any.
func (v view) objects(kind string, owner *apiRule) (objs []obj, owners []*apiRule) {
	for i, o := range v.outputs {
		if kindOf(o) == kind && v.owner[i] != nil && (owner == nil || v.owner[i] == owner) {
			objs, owners = append(objs, o), append(owners, v.owner[i])
		}
	}
	return objs, owners
}

// rendered reports whether the function generated anything for a (not so when a failed
// validation).
func (v view) rendered(a *apiRule) bool {
	for i := range v.outputs {
		if v.owner[i] == a {
			return true
		}
	}
	return false
}

// virtualService returns the one VirtualService of an APIRule and its routes.
func (v view) virtualService(t *testing.T, a *apiRule) (hosts []string, rs []route, ok bool) {
	vss, _ := v.objects("VirtualService", a)
	if !assert.Len(t, vss, 1, "%s: APIRule %s must have exactly one VirtualService", v.name, a.key()) {
		return nil, nil, false
	}
	hosts, _, _ = unstructured.NestedStringSlice(vss[0], "spec", "hosts")
	rs, err := routes(vss[0])
	return hosts, rs, assert.NoError(t, err, describe(v.run, vss[0]))
}

// TestOutputsTraceToAnAPIRule: every generated object names its APIRule in its labels, and
// VirtualServices and Oathkeeper Rules live in the APIRule's namespace (semantics §1.3).
func TestOutputsTraceToAnAPIRule(t *testing.T) {
	for _, v := range views(t) {
		for i, o := range v.outputs {
			a, err := ownerOf(v.rules, o)
			if !assert.NoError(t, err, describe(v.run, o)) {
				continue
			}
			if k := kindOf(o); k == "VirtualService" || k == "Rule" {
				assert.Equal(t, a.namespace, namespaceOf(o), "%s: namespace", describe(v.run, v.outputs[i]))
			}
		}
	}
}

// TestMethodsAreUpperCase: Istio compares methods case-sensitively, so a lower-case method in
// an ALLOW policy fails closed and in a DENY policy fails open (security-notes §2.7).
func TestMethodsAreUpperCase(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		for _, o := range v.outputs {
			var methods []string
			switch kindOf(o) {
			case "AuthorizationPolicy":
				for _, pr := range policyRules(o) {
					for _, op := range pr.operations {
						methods = append(append(methods, op.methods...), op.notMethods...)
					}
				}
			case "VirtualService":
				rs, err := routes(o)
				require.NoError(t, err, describe(v.run, o))
				for _, r := range rs {
					methods = append(methods, r.methods...)
				}
			case "Rule":
				methods, _, _ = unstructured.NestedStringSlice(o, "spec", "match", "methods")
			}
			for _, m := range methods {
				checked++
				assert.Equal(t, strings.ToUpper(m), m, "%s: method %q", describe(v.run, o), m)
			}
		}
	}
	assert.Positive(t, checked)
}

// TestRequestAuthenticationsHaveIssuerScopedAllowPolicies: a RequestAuthentication only rejects
// invalid tokens; requests without one pass unless an ALLOW policy requires a principal
// (security-notes §2.1). So for every JWT rule behind a RequestAuthentication, each host and
// method its VirtualService route serves must be covered, on the rule's path, by an ALLOW
// policy on the same workload that requires "<issuer>/*" of the rule's issuers.
func TestRequestAuthenticationsHaveIssuerScopedAllowPolicies(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		ras, owners := v.objects("RequestAuthentication", nil)
		for i, ra := range ras {
			a, w := owners[i], workloadOf(ra)
			raIssuers := jwtIssuers(ra)
			var protected []apiRuleRule
			for _, rule := range a.rules {
				if rule.workload == w && len(rule.issuers) > 0 && subset(rule.issuers, raIssuers) {
					protected = append(protected, rule)
				}
			}
			if !assert.NotEmpty(t, protected, "%s: no JWT rule of %s needs this RequestAuthentication", describe(v.run, ra), a.key()) {
				continue
			}
			hosts, rs, ok := v.virtualService(t, a)
			if !ok {
				continue
			}
			aps, _ := v.objects("AuthorizationPolicy", a)
			for _, rule := range protected {
				rt, routed := a.routeOf(rs, rule.index)
				if !routed {
					continue // a shadowed v1beta1 rule: nothing reaches it
				}
				for _, h := range hosts {
					for _, m := range intersect(rule.methods, rt.methods) {
						checked++
						assert.True(t, requiresIssuer(aps, w, a, rule, h, m),
							"%s: %s %s %s (rule %d of %s) has no ALLOW AuthorizationPolicy on %s requiring a principal of %v",
							v.name, m, h, rule.path, rule.index, a.key(), w, rule.issuers)
					}
				}
			}
		}
	}
	assert.Positive(t, checked)
}

func requiresIssuer(aps []obj, w workload, a *apiRule, rule apiRuleRule, host, method string) bool {
	for _, ap := range aps {
		if action(ap) != "ALLOW" || workloadOf(ap) != w {
			continue
		}
		for _, pr := range policyRules(ap) {
			if len(pr.requestPrincipals) == 0 || !allScoped(pr.requestPrincipals, rule.issuers) {
				continue
			}
			for _, op := range pr.operations {
				hostOK := slices.Contains(op.hosts, host) || (!a.isV2() && len(op.hosts) == 0)
				if hostOK && slices.Contains(op.methods, method) && slices.Contains(op.paths, a.policyPath(rule.path)) {
					return true
				}
			}
		}
	}
	return false
}

// allScoped reports whether every principal is "<issuer>/*" for one of issuers.
func allScoped(principals, issuers []string) bool {
	for _, p := range principals {
		iss, ok := strings.CutSuffix(p, "/*")
		if !ok || !slices.Contains(issuers, iss) {
			return false
		}
	}
	return true
}

// TestRequestPrincipalsAreIssuerScoped: "*" would accept a valid token of any issuer that any
// RequestAuthentication of the workload (or the mesh root namespace) trusts; every principal
// must be "<issuer>/*" for an issuer a RequestAuthentication of that workload configures.
func TestRequestPrincipalsAreIssuerScoped(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		ras, _ := v.objects("RequestAuthentication", nil)
		aps, _ := v.objects("AuthorizationPolicy", nil)
		for _, ap := range aps {
			var trusted []string
			for _, ra := range ras {
				if workloadOf(ra).covers(workloadOf(ap)) || workloadOf(ap).covers(workloadOf(ra)) {
					trusted = append(trusted, jwtIssuers(ra)...)
				}
			}
			for _, pr := range policyRules(ap) {
				for _, p := range pr.requestPrincipals {
					checked++
					assert.True(t, allScoped([]string{p}, trusted), "%s: requestPrincipal %q is not <issuer>/* of an issuer in %v",
						describe(v.run, ap), p, trusted)
				}
			}
		}
	}
	assert.Positive(t, checked)
}

func jwtIssuers(ra obj) []string {
	rules, _, _ := unstructured.NestedSlice(ra, "spec", "jwtRules")
	var out []string
	for _, r := range rules {
		if iss, ok := r.(map[string]any)["issuer"].(string); ok {
			out = append(out, iss)
		}
	}
	return out
}

// TestAuthorizationPoliciesAllowNoMoreThanTheirRule: every operation of an ALLOW or CUSTOM
// policy names methods, paths and (v2) hosts, and all of them are within one rule of the
// policy's APIRule: its methods, its path as the controller translates it, its hosts. An
// ALLOW rule also names who may call (principals or request principals).
//
// Documented exception: v1beta1 (and converted v1alpha1) policies carry no hosts, as the controller writes them
// (semantics §3.5), so they apply to every host that reaches the workload; v2 added hosts in
// 3.1.0 because of exactly that (api-gateway#1800).
func TestAuthorizationPoliciesAllowNoMoreThanTheirRule(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		aps, owners := v.objects("AuthorizationPolicy", nil)
		for i, ap := range aps {
			a := owners[i]
			hosts, _, ok := v.virtualService(t, a)
			if !ok {
				continue
			}
			act := action(ap)
			if !assert.Contains(t, []string{"ALLOW", "CUSTOM"}, act, describe(v.run, ap)) {
				continue
			}
			for j, pr := range policyRules(ap) {
				where := fmt.Sprintf("%s: rules[%d]", describe(v.run, ap), j)
				if act == "ALLOW" {
					assert.True(t, len(pr.principals)+len(pr.requestPrincipals) > 0, "%s: ALLOW without a source", where)
				}
				if !assert.NotEmpty(t, pr.operations, "%s: no operation, so every request matches", where) {
					continue
				}
				for k, op := range pr.operations {
					checked++
					assert.NoError(t, withinARule(a, hosts, workloadOf(ap), op), "%s.to[%d]", where, k)
				}
			}
		}
	}
	assert.Positive(t, checked)
}

func withinARule(a *apiRule, hosts []string, w workload, op operation) error {
	if len(op.methods) == 0 || len(op.paths) == 0 {
		return fmt.Errorf("methods %v, paths %v: an empty list allows everything", op.methods, op.paths)
	}
	switch {
	case !a.isV2() && len(op.hosts) == 0: // the documented exception
	case len(op.hosts) == 0:
		return fmt.Errorf("no hosts: allows every host that reaches %s, not only %v", w, hosts)
	case !subset(op.hosts, hosts):
		return fmt.Errorf("hosts %v exceed the APIRule's %v", op.hosts, hosts)
	}
	for _, p := range op.paths {
		found := false
		for _, rule := range a.rules {
			if a.policyPath(rule.path) == p && subset(op.methods, rule.methods) && w.covers(rule.workload) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("path %q with methods %v matches no rule of %s on workload %s", p, op.methods, a.key(), w)
		}
	}
	return nil
}

// TestNoTokenlessPolicyOpensAJWTRoute: ALLOW policies of a workload are OR-ed, so a policy that
// lets requests through without a token (principals only, no request.auth condition) must not
// match a request a JWT rule protects: not from the same APIRule, not from another APIRule
// exposing the same workload (api-gateway#1800). The request is sampled from the rule: each
// routed method and host, and a concrete path the rule's path matches.
//
// The v1beta1 controller writes such policies itself: a no_auth or allow rule "/.*" becomes a
// policy on "/*" without notPaths, which opens every JWT path for its methods (conformance case
// v1beta1-jwt-istio). Reproducing the controller means emitting it too, so the documented
// exception is a v1beta1 (or converted v1alpha1) policy together with a warning of the function
// on the JWT rule. A v2 policy (with hosts and notPaths) has no excuse.
func TestNoTokenlessPolicyOpensAJWTRoute(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		aps, apOwners := v.objects("AuthorizationPolicy", nil)
		for _, a := range v.rules {
			if !hasJWTRule(a) || !v.rendered(a) {
				continue
			}
			hosts, rs, ok := v.virtualService(t, a)
			if !ok {
				continue
			}
			for _, rule := range a.rules {
				rt, routed := a.routeOf(rs, rule.index)
				path := samplePath(rule.path)
				if len(rule.issuers) == 0 || !routed || path == "" {
					continue
				}
				for _, h := range hosts {
					for _, m := range intersect(rule.methods, rt.methods) {
						checked++
						for k, ap := range aps {
							if action(ap) != "ALLOW" || !workloadOf(ap).covers(rule.workload) || !opensWithoutToken(ap, h, m, path) {
								continue
							}
							problem := fmt.Sprintf("%s lets %s %s%s through without a token, but rule %d (%s) of %s requires a JWT there",
								describe(v.run, ap), m, h, path, rule.index, rule.path, a.key())
							if assert.False(t, apOwners[k].isV2(), "%s (a v2 policy: no exception)", problem) {
								assert.True(t, v.warnedAbout(a, rule.index), "%s, and the function did not warn about the rule", problem)
							}
						}
					}
				}
			}
		}
	}
	assert.Positive(t, checked)
}

func hasJWTRule(a *apiRule) bool {
	return slices.ContainsFunc(a.rules, func(r apiRuleRule) bool { return len(r.issuers) > 0 })
}

func opensWithoutToken(ap obj, host, method, path string) bool {
	for _, pr := range policyRules(ap) {
		if pr.requiresToken {
			continue
		}
		for _, op := range pr.operations {
			if op.matches(host, method, path) {
				return true
			}
		}
	}
	return false
}

// TestOathkeeperRoutesHaveRules: a v1alpha1/v1beta1 route to the Oathkeeper proxy needs an
// Oathkeeper Rule for the same host, path and each method the route serves; without one,
// Oathkeeper answers 404. The controller leaves a Rule out in two documented cases, asserted
// explicitly here, and in those the function must warn about the rule:
//   - §3.3 same path: only the first rule of a path gets a route, so a later rule's methods
//     arrive at the first rule's route (and at Oathkeeper when that rule goes there);
//   - §3.5 Istio handler: rules with only unauthorized, anonymous, cookie_session or
//     oauth2_client_credentials go to Oathkeeper but get no Rule.
func TestOathkeeperRoutesHaveRules(t *testing.T) {
	checked := 0
	for _, v := range views(t) {
		for _, a := range v.rules {
			if a.isV2() || !v.rendered(a) {
				continue
			}
			hosts, rs, ok := v.virtualService(t, a)
			if !ok {
				continue
			}
			okRules, _ := v.objects("Rule", a)
			for _, rt := range rs {
				if rt.host != oathkeeperHost {
					continue
				}
				methods := rt.methods
				if methods == nil { // no method match: every method of every rule with the path arrives
					for _, rule := range a.rules {
						if rule.path == rt.path {
							methods = append(methods, rule.methods...)
						}
					}
				}
				for _, h := range hosts {
					url := "<http|https>://" + h + "<" + rt.path + ">"
					for _, m := range methods {
						checked++
						if hasOathkeeperRule(okRules, url, m) {
							continue
						}
						i, why := v.missingRuleException(a, rt.path, m)
						if !assert.NotEmpty(t, why, "%s: route %d of %s sends %s %s to Oathkeeper, but no Rule matches %s",
							v.name, rt.index, a.key(), m, rt.path, url) {
							continue
						}
						assert.True(t, v.warnedAbout(a, i), "%s: %s %s of %s reaches Oathkeeper without a Rule (%s), and the function did not warn about rule %d",
							v.name, m, rt.path, a.key(), why, i)
					}
				}
			}
		}
	}
	assert.Positive(t, checked)
}

// noRuleHandlers are the access strategies for which the Istio handler routes to Oathkeeper but
// writes no Rule (semantics §3.5).
var noRuleHandlers = []string{"unauthorized", "anonymous", "cookie_session", "oauth2_client_credentials"}

// missingRuleException returns the rule a request with path and method belongs to (the first
// rule with that path and method) and which documented case explains its missing Rule, or ""
// if none does.
func (v view) missingRuleException(a *apiRule, path, method string) (int, string) {
	first := -1
	for _, rule := range a.rules {
		if rule.path != path {
			continue
		}
		if first < 0 {
			first = rule.index
		}
		if !slices.Contains(rule.methods, method) {
			continue
		}
		switch {
		case rule.index != first:
			return rule.index, fmt.Sprintf("same path as rule %d, §3.3", first)
		case v.istioHandler() && subset(rule.handlers, noRuleHandlers):
			return rule.index, "Istio handler with " + strings.Join(rule.handlers, ", ") + ", §3.5"
		}
		return rule.index, ""
	}
	return -1, ""
}

func hasOathkeeperRule(rules []obj, url, method string) bool {
	for _, r := range rules {
		u, _, _ := unstructured.NestedString(r, "spec", "match", "url")
		ms, _, _ := unstructured.NestedStringSlice(r, "spec", "match", "methods")
		if u == url && slices.ContainsFunc(ms, func(m string) bool { return strings.EqualFold(m, method) }) {
			return true
		}
	}
	return false
}

// warnedAbout reports whether the function warned about rule i of a (a warning result on the
// APIRule whose field path is spec.rules[i] or below it).
func (v view) warnedAbout(a *apiRule, i int) bool {
	prefix := fmt.Sprintf("spec.rules[%d]", i)
	for _, r := range v.results {
		p := strings.TrimPrefix(r.Field.Path, ".")
		if r.Severity == "warning" && r.ResourceRef.Name == a.name && r.ResourceRef.Namespace == a.namespace &&
			(p == prefix || strings.HasPrefix(p, prefix+".")) {
			return true
		}
	}
	return false
}

func subset(sub, of []string) bool {
	for _, s := range sub {
		if !slices.Contains(of, s) {
			return false
		}
	}
	return true
}

// intersect returns the methods of want that the route serves (all of them when the route
// does not match on the method).
func intersect(want, served []string) []string {
	if served == nil {
		return want
	}
	var out []string
	for _, m := range want {
		if slices.Contains(served, m) {
			out = append(out, m)
		}
	}
	return out
}
