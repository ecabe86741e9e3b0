package access

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	security "istio.io/api/security/v1"

	"github.com/apirule-krm/apirule-fn/fn/cluster"
)

// defaultTokenParam is the query parameter Istio reads a token from when a JWT rule
// names no location (besides the Authorization header).
const defaultTokenParam = "access_token"

// workload is a request as it reaches the sidecar of a workload.
type workload struct {
	namespace string
	labels    map[string]string
	// principal is the peer identity (the ingress gateway or Oathkeeper).
	principal string
	host      string
}

// applies reports whether an object with this namespace and selector governs w:
// the workload's namespace (selector nil or matching), or the root namespace
// without a selector.
func (w workload) applies(namespace string, selector map[string]string, hasSelector bool) bool {
	if namespace == RootNamespace && !hasSelector && w.namespace != RootNamespace {
		return true
	}
	return namespace == w.namespace && (!hasSelector || cluster.Selects(selector, w.labels))
}

// governing are the AuthorizationPolicies and RequestAuthentications that apply
// to one workload, in the order they were added.
type governing struct {
	policies []policy
	authns   []requestAuthn
}

// governing returns what applies to w, filtering the mesh once per workload.
func (m *Mesh) governing(w workload) *governing {
	keys := slices.Sorted(maps.Keys(w.labels))
	var b strings.Builder
	b.WriteString(w.namespace)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + w.labels[k])
	}
	key := b.String()
	m.mu.Lock()
	defer m.mu.Unlock()
	if g, ok := m.byWorkload[key]; ok {
		return g
	}
	g := &governing{}
	for _, p := range m.policies {
		if w.applies(p.namespace, p.spec.GetSelector().GetMatchLabels(), p.spec.GetSelector() != nil) {
			g.policies = append(g.policies, p)
		}
	}
	for _, ra := range m.authns {
		if w.applies(ra.namespace, ra.spec.GetSelector().GetMatchLabels(), ra.spec.GetSelector() != nil) {
			g.authns = append(g.authns, ra)
		}
	}
	if m.byWorkload == nil {
		m.byWorkload = map[string]*governing{}
	}
	m.byWorkload[key] = g
	return g
}

// authenticate applies the RequestAuthentications of the workload: a token read
// by one of their JWT rules must be of one of those rules' issuers. It returns the
// request's issuer ("" without identity), or an error for a rejected token.
func (m *Mesh) authenticate(w workload, t *Token) (string, error) {
	if t == nil {
		return "", nil
	}
	var readers []string
	for _, ra := range m.governing(w).authns {
		for _, r := range ra.spec.GetJwtRules() {
			if reads(r, t) {
				readers = append(readers, r.GetIssuer())
			}
		}
	}
	if len(readers) == 0 {
		return "", nil
	}
	if slices.Contains(readers, t.Issuer) {
		return t.Issuer, nil
	}
	return "", fmt.Errorf("RequestAuthentication rejects the token: issuer %s is not one of %s", t.Issuer, strings.Join(readers, ", "))
}

// reads reports whether a JWT rule looks for a token where t is sent.
func reads(r *security.JWTRule, t *Token) bool {
	if len(r.GetFromHeaders()) == 0 && len(r.GetFromParams()) == 0 {
		return t.inHeader("Authorization") || t.Param == defaultTokenParam
	}
	for _, h := range r.GetFromHeaders() {
		if t.inHeader(h.GetName()) {
			return true
		}
	}
	return t.Param != "" && slices.Contains(r.GetFromParams(), t.Param)
}

// authorize applies the AuthorizationPolicies of the workload in Istio's order:
// CUSTOM, DENY, ALLOW.
func (m *Mesh) authorize(w workload, req Request, issuer string) (Outcome, string) {
	var allows []policy
	for _, action := range []security.AuthorizationPolicy_Action{security.AuthorizationPolicy_CUSTOM, security.AuthorizationPolicy_DENY, security.AuthorizationPolicy_ALLOW} {
		for _, p := range m.governing(w).policies {
			if p.spec.GetAction() != action {
				continue
			}
			if action == security.AuthorizationPolicy_ALLOW {
				allows = append(allows, p)
			}
			for _, r := range p.spec.GetRules() {
				if !ruleMatches(r, w, req, issuer) {
					continue
				}
				switch action {
				case security.AuthorizationPolicy_CUSTOM:
					return Unknown, fmt.Sprintf("CUSTOM AuthorizationPolicy %s/%s hands the request to extension provider %s", p.namespace, p.name, p.spec.GetProvider().GetName())
				case security.AuthorizationPolicy_DENY:
					return Denied, fmt.Sprintf("DENY AuthorizationPolicy %s/%s matches", p.namespace, p.name)
				default:
					return Allowed, fmt.Sprintf("ALLOW AuthorizationPolicy %s/%s matches", p.namespace, p.name)
				}
			}
		}
	}
	if len(allows) == 0 {
		return Allowed, "no AuthorizationPolicy applies to the workload"
	}
	return Denied, fmt.Sprintf("none of the %d ALLOW AuthorizationPolicies of the workload matches", len(allows))
}

// ruleMatches: every part present (from, to, when) must match; within from and to
// any entry suffices.
func ruleMatches(r *security.Rule, w workload, req Request, issuer string) bool {
	if len(r.GetFrom()) > 0 && !slices.ContainsFunc(r.GetFrom(), func(f *security.Rule_From) bool { return sourceMatches(f.GetSource(), w, issuer) }) {
		return false
	}
	if len(r.GetTo()) > 0 && !slices.ContainsFunc(r.GetTo(), func(t *security.Rule_To) bool { return operationMatches(t.GetOperation(), w, req) }) {
		return false
	}
	for _, c := range r.GetWhen() {
		if !conditionMatches(c, req.Token, issuer) {
			return false
		}
	}
	return true
}

// requestPrincipal is the request principal Istio derives, "<iss>/<sub>"; the
// subject is not modelled.
func requestPrincipal(issuer string) string { return issuer + "/subject" }

func sourceMatches(s *security.Source, w workload, issuer string) bool {
	if s == nil {
		return true
	}
	ns := ""
	if parts := strings.Split(w.principal, "/"); len(parts) >= 3 && parts[1] == "ns" {
		ns = parts[2]
	}
	checks := []struct {
		values []string
		negate bool
		value  string
		needs  bool
	}{
		{s.GetPrincipals(), false, w.principal, true},
		{s.GetNotPrincipals(), true, w.principal, true},
		{s.GetRequestPrincipals(), false, requestPrincipal(issuer), issuer != ""},
		{s.GetNotRequestPrincipals(), true, requestPrincipal(issuer), issuer != ""},
		{s.GetNamespaces(), false, ns, ns != ""},
		{s.GetNotNamespaces(), true, ns, ns != ""},
	}
	for _, c := range checks {
		if len(c.values) == 0 {
			continue
		}
		hit := c.needs && anyPolicyString(c.values, c.value, false)
		if hit == c.negate {
			return false
		}
	}
	return len(s.GetIpBlocks()) == 0 && len(s.GetRemoteIpBlocks()) == 0
}

func operationMatches(o *security.Operation, w workload, req Request) bool {
	if o == nil {
		return true
	}
	host := stripPort(w.host)
	switch {
	case len(o.GetHosts()) > 0 && !anyPolicyString(o.GetHosts(), host, true),
		len(o.GetNotHosts()) > 0 && anyPolicyString(o.GetNotHosts(), host, true),
		len(o.GetMethods()) > 0 && !anyPolicyString(o.GetMethods(), req.Method, false),
		len(o.GetNotMethods()) > 0 && anyPolicyString(o.GetNotMethods(), req.Method, false),
		len(o.GetPaths()) > 0 && !anyPolicyPath(o.GetPaths(), req.Path),
		len(o.GetNotPaths()) > 0 && anyPolicyPath(o.GetNotPaths(), req.Path),
		len(o.GetPorts()) > 0, len(o.GetNotPorts()) > 0:
		return false
	}
	return true
}

// scopeClaims are the claims a token's scopes are read from (the controller
// accepts any of them); audienceClaim holds its audiences.
var scopeClaims = []string{"scp", "scope", "scopes"}

const audienceClaim = "aud"

// claimValues returns what the token holds in a claim: scopes, audiences or the issuer.
func claimValues(t *Token, claim string) []string {
	switch {
	case slices.Contains(scopeClaims, claim):
		return t.Scopes
	case claim == audienceClaim:
		return t.Audiences
	case claim == "iss":
		return []string{t.Issuer}
	}
	return nil
}

// conditionMatches evaluates a when condition; only request.auth.claims[...] keys of
// an authenticated request can match.
func conditionMatches(c *security.Condition, t *Token, issuer string) bool {
	claim, ok := strings.CutPrefix(c.GetKey(), "request.auth.claims[")
	if !ok || issuer == "" || t == nil {
		return false
	}
	values := claimValues(t, strings.TrimSuffix(claim, "]"))
	anyOf := func(patterns []string) bool {
		return slices.ContainsFunc(values, func(v string) bool { return anyPolicyString(patterns, v, false) })
	}
	if len(c.GetValues()) > 0 && !anyOf(c.GetValues()) {
		return false
	}
	return len(c.GetNotValues()) == 0 || !anyOf(c.GetNotValues())
}

// istioRequirements derives the tokens the ALLOW rules of the workload would let
// through for this operation: the issuers of their request principals and the
// values of their scope and audience conditions.
func (m *Mesh) istioRequirements(w workload, req Request) []Requirement {
	var out []Requirement
	for _, p := range m.governing(w).policies {
		if p.spec.GetAction() != security.AuthorizationPolicy_ALLOW {
			continue
		}
		for _, r := range p.spec.GetRules() {
			if len(r.GetTo()) > 0 && !slices.ContainsFunc(r.GetTo(), func(t *security.Rule_To) bool { return operationMatches(t.GetOperation(), w, req) }) {
				continue
			}
			for _, f := range r.GetFrom() {
				var need Requirement
				for _, rp := range f.GetSource().GetRequestPrincipals() {
					if rp != "*" {
						need.Issuers = append(need.Issuers, strings.TrimSuffix(rp, "/*"))
					}
				}
				for _, c := range r.GetWhen() {
					claim := strings.TrimSuffix(strings.TrimPrefix(c.GetKey(), "request.auth.claims["), "]")
					switch {
					case slices.Contains(scopeClaims, claim):
						need.Scopes = append(need.Scopes, c.GetValues()...)
					case claim == audienceClaim:
						need.Audiences = append(need.Audiences, c.GetValues()...)
					}
				}
				if len(f.GetSource().GetRequestPrincipals()) > 0 {
					out = append(out, need)
				}
			}
		}
	}
	return out
}
