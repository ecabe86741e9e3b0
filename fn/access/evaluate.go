package access

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// Evaluate decides one request: the route, the outcome and, when the request
// without a token is not let through, the tokens that would be.
func (m *Mesh) Evaluate(req Request) Decision {
	d := m.decide(req)
	if d.Outcome == NotRouted {
		return d
	}
	anonymous := req
	anonymous.Token = nil
	if m.decide(anonymous).Outcome == Allowed {
		return d
	}
	for _, need := range m.requirements(req) {
		if m.accepts(req, need) && !slices.ContainsFunc(d.Requirements, func(r Requirement) bool { return r.String() == need.String() }) {
			d.Requirements = append(d.Requirements, need)
		}
	}
	d.TokenRequired = len(d.Requirements) > 0
	return d
}

// decide follows the request through the routes and the policies.
func (m *Mesh) decide(req Request) Decision {
	vs, route := m.route(req)
	if route == nil {
		return Decision{Outcome: NotRouted, Reason: "no VirtualService route matches"}
	}
	if len(route.GetRoute()) == 0 || route.GetRoute()[0].GetDestination() == nil {
		return Decision{Outcome: Unknown, Reason: fmt.Sprintf("VirtualService %s/%s answers the route itself (redirect or direct response)", vs.namespace, vs.name)}
	}
	dest := route.GetRoute()[0].GetDestination()
	host := destinationHost(vs, route)
	destination := host
	if p := dest.GetPort().GetNumber(); p != 0 {
		destination = fmt.Sprintf("%s:%d", host, p)
	}
	via := fmt.Sprintf("VirtualService %s/%s routes to %s; ", vs.namespace, vs.name, destination)
	var d Decision
	if m.isOathkeeper(host) {
		d = m.oathkeeper(req)
	} else if ns, name, ok := serviceOf(host); ok {
		d = m.atService(ns, name, m.GatewayPrincipal, req.Host, req)
	} else {
		d = Decision{Outcome: Allowed, Reason: "the destination is outside the mesh model"}
	}
	d.Destination, d.Reason = destination, via+d.Reason
	return d
}

// destinationHost is the host of the route's first destination, a short name
// completed with the VirtualService's namespace as Istio does.
func destinationHost(vs *virtualService, route *networking.HTTPRoute) string {
	host := route.GetRoute()[0].GetDestination().GetHost()
	if !strings.Contains(host, ".") {
		host += "." + vs.namespace + ".svc.cluster.local"
	}
	return host
}

// route returns the first route that takes the request.
func (m *Mesh) route(req Request) (*virtualService, *networking.HTTPRoute) {
	for i := range m.virtualServices {
		vs := &m.virtualServices[i]
		if !slices.ContainsFunc(vs.spec.GetHosts(), func(h string) bool { return hostMatch(h, req.Host) }) {
			continue
		}
		for _, r := range vs.spec.GetHttp() {
			if len(r.GetMatch()) == 0 || slices.ContainsFunc(r.GetMatch(), func(mr *networking.HTTPMatchRequest) bool { return routeMatches(mr, req) }) {
				return vs, r
			}
		}
	}
	return nil, nil
}

// routeMatches checks uri and method; a match on anything else (headers, query
// parameters, ports) is not modelled and never matches.
func routeMatches(mr *networking.HTTPMatchRequest, req Request) bool {
	if len(mr.GetHeaders()) > 0 || len(mr.GetQueryParams()) > 0 || mr.GetPort() != 0 || mr.GetScheme() != nil ||
		len(mr.GetWithoutHeaders()) > 0 || len(mr.GetSourceLabels()) > 0 {
		return false
	}
	return stringMatch(mr.GetUri(), req.Path) && stringMatch(mr.GetMethod(), req.Method) &&
		(mr.GetAuthority() == nil || stringMatch(mr.GetAuthority(), stripPort(req.Host)))
}

// atService decides the request at the sidecar of Service namespace/name.
func (m *Mesh) atService(namespace, name, principal, host string, req Request) Decision {
	w := workload{namespace: namespace, labels: m.workloadLabels(namespace, name), principal: principal, host: host}
	d := Decision{Service: namespace + "/" + name}
	issuer, err := m.authenticate(w, req.Token)
	if err != nil {
		d.Outcome, d.Reason = Unauthenticated, err.Error()
		return d
	}
	d.Outcome, d.Reason = m.authorize(w, req, issuer)
	return d
}

// requirements lists candidate tokens for the route the request takes.
func (m *Mesh) requirements(req Request) []Requirement {
	vs, route := m.route(req)
	if route == nil || len(route.GetRoute()) == 0 {
		return nil
	}
	host := destinationHost(vs, route)
	if m.isOathkeeper(host) {
		return m.oathkeeperRequirements(req)
	}
	ns, name, ok := serviceOf(host)
	if !ok {
		return nil
	}
	w := workload{namespace: ns, labels: m.workloadLabels(ns, name), principal: m.GatewayPrincipal, host: req.Host}
	return m.istioRequirements(w, req)
}

// anyIssuer stands for "a token of any issuer" when a requirement names none.
const anyIssuer = "https://any-issuer.invalid"

// accepts reports whether a token meeting need is let through, trying the default
// token location and every location a RequestAuthentication reads for its issuers.
func (m *Mesh) accepts(req Request, need Requirement) bool {
	issuers := need.Issuers
	if len(issuers) == 0 {
		issuers = []string{anyIssuer}
	}
	for _, iss := range issuers {
		for _, loc := range m.tokenLocations(iss) {
			t := loc
			t.Issuer, t.Scopes, t.Audiences = iss, need.Scopes, need.Audiences
			try := req
			try.Token = &t
			if m.decide(try).Outcome == Allowed {
				return true
			}
		}
	}
	return false
}

// tokenLocations returns tokens (without claims) in the default location and in
// each header or parameter a JWT rule of issuer reads.
func (m *Mesh) tokenLocations(issuer string) []Token {
	out := []Token{{}}
	for _, ra := range m.authns {
		for _, r := range ra.spec.GetJwtRules() {
			if r.GetIssuer() != issuer {
				continue
			}
			for _, h := range r.GetFromHeaders() {
				out = append(out, Token{Header: h.GetName()})
			}
			for _, p := range r.GetFromParams() {
				out = append(out, Token{Param: p})
			}
		}
	}
	for _, r := range m.rules {
		for _, h := range r.spec.Authenticators {
			var c oryJWT
			if h.Handler != apirule.StrategyJWT || json.Unmarshal(h.Config, &c) != nil || c.TokenFrom == nil {
				continue
			}
			if len(c.TrustedIssuers) == 0 || slices.Contains(c.TrustedIssuers, issuer) {
				out = append(out, Token{Header: c.TokenFrom.Header, Param: c.TokenFrom.QueryParameter})
			}
		}
	}
	return out
}
