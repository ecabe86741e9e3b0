package apiserver

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// This file reads the inputs and outputs of a run into the small views the security
// invariants need. It reads the APIRule itself, not the function's model of it, so that the
// invariants check the function against the APIRule semantics (docs: apirule-semantics.md).

const (
	nameLabel      = "apirule.gateway.kyma-project.io/name"
	namespaceLabel = "apirule.gateway.kyma-project.io/namespace"
	oathkeeperHost = "ory-oathkeeper-proxy.kyma-system.svc.cluster.local"
)

// apiRule is the part of an input APIRule the invariants use.
type apiRule struct {
	version, namespace, name string
	rules                    []apiRuleRule
}

type apiRuleRule struct {
	index   int
	path    string
	methods []string
	// issuers are the issuers of the rule's Istio JWT authentications: v2 jwt or
	// extAuth.restrictions, v1beta1 jwt access strategy with `authentications` (the Istio
	// handler's shape). Empty when the rule is not protected by a RequestAuthentication.
	issuers  []string
	workload workload // where the rule's AuthorizationPolicies and RequestAuthentication go
	handlers []string // v1alpha1/v1beta1 access strategies
}

// workload is what an AuthorizationPolicy or RequestAuthentication selects: a namespace and a
// label selector ("" selects every workload of the namespace).
type workload struct{ namespace, selector string }

func (w workload) String() string { return w.namespace + "{" + w.selector + "}" }

// covers reports whether a policy on w applies to the workload other.
func (w workload) covers(other workload) bool {
	return w.namespace == other.namespace && (w.selector == "" || w.selector == other.selector)
}

func (a *apiRule) key() string { return a.namespace + "/" + a.name }

// isV2 tells the two generations apart: v2alpha1 and v2 are processed alike, and v1alpha1 was
// converted to v1beta1 and processed as v1beta1 (semantics §2.6).
func (a *apiRule) isV2() bool { return a.version == "v2" || a.version == "v2alpha1" }

// apiRules reads the APIRules and Services among a run's inputs.
func apiRules(r run) map[string]*apiRule {
	selectors := map[string]string{} // namespace/name of a Service -> its selector
	for _, o := range r.inputs {
		if kindOf(o) == "Service" && o["apiVersion"] == "v1" {
			sel, _, _ := unstructured.NestedStringMap(o, "spec", "selector")
			selectors[namespaceOf(o)+"/"+nameOf(o)] = canonical(sel)
		}
	}
	out := map[string]*apiRule{}
	for _, o := range r.inputs {
		if kindOf(o) != "APIRule" || groupOf(o) != "gateway.kyma-project.io" {
			continue
		}
		a := &apiRule{version: strings.TrimPrefix(o["apiVersion"].(string), "gateway.kyma-project.io/"), namespace: namespaceOf(o), name: nameOf(o)}
		specService, _, _ := unstructured.NestedMap(o, "spec", "service")
		rules, _, _ := unstructured.NestedSlice(o, "spec", "rules")
		for i, raw := range rules {
			rule, _ := raw.(map[string]any)
			rr := apiRuleRule{index: i}
			rr.path, _, _ = unstructured.NestedString(rule, "path")
			rr.methods, _, _ = unstructured.NestedStringSlice(rule, "methods")
			rr.issuers = issuersOf(a.isV2(), rule)
			strategies, _, _ := unstructured.NestedSlice(rule, "accessStrategies")
			for _, s := range strategies {
				if h, ok := s.(map[string]any)["handler"].(string); ok {
					rr.handlers = append(rr.handlers, h)
				}
			}
			ruleService, _, _ := unstructured.NestedMap(rule, "service")
			ns, name := serviceOf(a.namespace, specService, ruleService)
			rr.workload = workload{ns, selectors[ns+"/"+name]}
			a.rules = append(a.rules, rr)
		}
		out[a.key()] = a
	}
	return out
}

// serviceOf resolves a rule's target Service as the controller does (semantics §1.9): the rule's
// service, else the spec's; its namespace from the rule's service, else the spec's service,
// else the APIRule's namespace, even when the rule names a different service.
func serviceOf(arNamespace string, specService, ruleService map[string]any) (namespace, name string) {
	name, _ = specService["name"].(string)
	if n, ok := ruleService["name"].(string); ok {
		name = n
	}
	namespace = arNamespace
	if ns, ok := specService["namespace"].(string); ok && ns != "" {
		namespace = ns
	}
	if ns, ok := ruleService["namespace"].(string); ok && ns != "" {
		namespace = ns
	}
	return namespace, name
}

func issuersOf(v2 bool, rule map[string]any) []string {
	var authentications []any
	if v2 {
		authentications, _, _ = unstructured.NestedSlice(rule, "jwt", "authentications")
		if authentications == nil {
			authentications, _, _ = unstructured.NestedSlice(rule, "extAuth", "restrictions", "authentications")
		}
	} else {
		strategies, _, _ := unstructured.NestedSlice(rule, "accessStrategies")
		for _, s := range strategies {
			s, _ := s.(map[string]any)
			if s["handler"] == "jwt" {
				authentications, _, _ = unstructured.NestedSlice(s, "config", "authentications")
				break // the controller uses the first jwt strategy
			}
		}
	}
	var issuers []string
	for _, a := range authentications {
		if iss, ok := a.(map[string]any)["issuer"].(string); ok {
			issuers = append(issuers, iss)
		}
	}
	return issuers
}

// policyPath is the AuthorizationPolicy path the controller writes for an APIRule path
// (semantics §3.5 and §4.6): the catch-alls are translated, every other path is copied.
func (a *apiRule) policyPath(path string) string {
	switch {
	case !a.isV2() && path == "/.*":
		return "/*"
	case a.isV2() && path == "/*":
		return "/{**}"
	}
	return path
}

// ownerOf returns the APIRule a generated object belongs to, by its labels.
func ownerOf(rules map[string]*apiRule, o obj) (*apiRule, error) {
	name, _, _ := unstructured.NestedString(o, "metadata", "labels", nameLabel)
	ns, _, _ := unstructured.NestedString(o, "metadata", "labels", namespaceLabel)
	if a := rules[ns+"/"+name]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("labels %s=%q, %s=%q name no input APIRule", nameLabel, name, namespaceLabel, ns)
}

func workloadOf(o obj) workload {
	sel, _, _ := unstructured.NestedStringMap(o, "spec", "selector", "matchLabels")
	return workload{namespaceOf(o), canonical(sel)}
}

func canonical(labels map[string]string) string {
	kv := make([]string, 0, len(labels))
	for k, v := range labels {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// route is one http entry of a VirtualService.
type route struct {
	index int
	// path is the APIRule path the route was made from: the uri regex, or "/*" for the
	// prefix "/" the Istio handler and v2 write for the path "/*".
	path    string
	methods []string // nil when the route does not match on the method
	host    string   // destination host
}

var methodRegex = regexp.MustCompile(`^\^\(([A-Za-z|]+)\)\$$`)

func routes(vs obj) ([]route, error) {
	entries, _, _ := unstructured.NestedSlice(vs, "spec", "http")
	out := make([]route, 0, len(entries))
	for i, e := range entries {
		e, _ := e.(map[string]any)
		rt := route{index: i}
		matches, _, _ := unstructured.NestedSlice(e, "match")
		if len(matches) != 1 {
			return nil, fmt.Errorf("spec.http[%d]: want one match, got %d", i, len(matches))
		}
		m, _ := matches[0].(map[string]any)
		if re, ok, _ := unstructured.NestedString(m, "uri", "regex"); ok {
			rt.path = re
		} else if prefix, _, _ := unstructured.NestedString(m, "uri", "prefix"); prefix == "/" {
			rt.path = "/*"
		} else {
			return nil, fmt.Errorf("spec.http[%d]: unexpected uri match %v", i, m["uri"])
		}
		if re, ok, _ := unstructured.NestedString(m, "method", "regex"); ok {
			sub := methodRegex.FindStringSubmatch(re)
			if sub == nil {
				return nil, fmt.Errorf("spec.http[%d]: method regex %q is not ^(M1|M2...)$", i, re)
			}
			rt.methods = strings.Split(sub[1], "|")
		}
		dests, _, _ := unstructured.NestedSlice(e, "route")
		if len(dests) != 1 {
			return nil, fmt.Errorf("spec.http[%d]: want one destination, got %d", i, len(dests))
		}
		rt.host, _, _ = unstructured.NestedString(dests[0].(map[string]any), "destination", "host")
		out = append(out, rt)
	}
	return out, nil
}

// routeOf returns the VirtualService route made for rule i: v2 writes one route per rule in
// rule order; v1alpha1 and v1beta1 one per distinct path, from the first rule with that path
// (semantics §3.3), so a later rule with the same path has none.
func (a *apiRule) routeOf(rs []route, i int) (route, bool) {
	if a.isV2() {
		if i < len(rs) {
			return rs[i], true
		}
		return route{}, false
	}
	var firsts []int
	seen := map[string]bool{}
	for j, rule := range a.rules {
		if !seen[rule.path] {
			seen[rule.path] = true
			firsts = append(firsts, j)
		}
	}
	for k, j := range firsts {
		if j == i && k < len(rs) {
			return rs[k], true
		}
	}
	return route{}, false
}

// policyRule is one rule of an AuthorizationPolicy, flattened to what the invariants compare.
type policyRule struct {
	principals, requestPrincipals []string
	requiresToken                 bool // request principals or a condition on request.auth
	operations                    []operation
}

type operation struct {
	hosts, notHosts, methods, notMethods, paths, notPaths []string
}

func policyRules(ap obj) []policyRule {
	raw, _, _ := unstructured.NestedSlice(ap, "spec", "rules")
	var out []policyRule
	for _, r := range raw {
		r, _ := r.(map[string]any)
		var pr policyRule
		froms, _, _ := unstructured.NestedSlice(r, "from")
		for _, f := range froms {
			p, _, _ := unstructured.NestedStringSlice(f.(map[string]any), "source", "principals")
			rp, _, _ := unstructured.NestedStringSlice(f.(map[string]any), "source", "requestPrincipals")
			pr.principals = append(pr.principals, p...)
			pr.requestPrincipals = append(pr.requestPrincipals, rp...)
		}
		pr.requiresToken = len(pr.requestPrincipals) > 0
		whens, _, _ := unstructured.NestedSlice(r, "when")
		for _, w := range whens {
			if key, _ := w.(map[string]any)["key"].(string); strings.HasPrefix(key, "request.auth.") {
				pr.requiresToken = true
			}
		}
		tos, _, _ := unstructured.NestedSlice(r, "to")
		for _, to := range tos {
			op, _, _ := unstructured.NestedMap(to.(map[string]any), "operation")
			var o operation
			for field, into := range map[string]*[]string{"hosts": &o.hosts, "notHosts": &o.notHosts, "methods": &o.methods,
				"notMethods": &o.notMethods, "paths": &o.paths, "notPaths": &o.notPaths} {
				*into, _, _ = unstructured.NestedStringSlice(op, field)
			}
			pr.operations = append(pr.operations, o)
		}
		out = append(out, pr)
	}
	return out
}

func action(ap obj) string {
	a, _, _ := unstructured.NestedString(ap, "spec", "action")
	if a == "" {
		return "ALLOW"
	}
	return a
}

// matches reports whether the operation matches a request, with Istio's semantics: an empty
// list matches anything; hosts compare case-insensitively; paths are exact, "prefix*",
// "*suffix", "*", or templates with {*} (one segment) and {**} (any rest).
func (o operation) matches(host, method, path string) bool {
	return listMatches(o.hosts, o.notHosts, host, strings.EqualFold) &&
		listMatches(o.methods, o.notMethods, method, func(a, b string) bool { return a == b }) &&
		listMatches(o.paths, o.notPaths, path, pathMatches)
}

func listMatches(values, notValues []string, v string, eq func(pattern, v string) bool) bool {
	for _, n := range notValues {
		if eq(n, v) {
			return false
		}
	}
	if len(values) == 0 {
		return true
	}
	for _, p := range values {
		if eq(p, v) {
			return true
		}
	}
	return false
}

func pathMatches(pattern, path string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.Contains(pattern, "{*}") || strings.Contains(pattern, "{**}"):
		re := regexp.QuoteMeta(pattern)
		re = strings.ReplaceAll(re, regexp.QuoteMeta("{**}"), ".*")
		re = strings.ReplaceAll(re, regexp.QuoteMeta("{*}"), "[^/]+")
		return regexp.MustCompile("^" + re + "$").MatchString(path)
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(path, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(path, strings.TrimPrefix(pattern, "*"))
	}
	return pattern == path
}

// samplePath turns an APIRule path into one concrete request path it routes, or "" when the
// path is a regular expression too irregular to sample.
func samplePath(path string) string {
	switch path {
	case "/.*", "/*":
		return "/sample"
	}
	p := strings.ReplaceAll(strings.ReplaceAll(path, "{**}", "a/b"), "{*}", "a")
	if strings.ContainsAny(p, `*+?()[]{}|\^$`) {
		return ""
	}
	return p
}
