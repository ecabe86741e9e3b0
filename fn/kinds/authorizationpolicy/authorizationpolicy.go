package authorizationpolicy

import (
	security "istio.io/api/security/v1"
	typev1beta1 "istio.io/api/type/v1beta1"
)

// Group and Kind of the generated object; its version is the configured Istio API
// version (render.Context.IstioAPIVersion).
const (
	Group = "security.istio.io"
	Kind  = "AuthorizationPolicy"
)

// Well-known principals the controller allows.
const (
	// IngressGatewayPrincipal is the identity of Istio's ingress gateway.
	IngressGatewayPrincipal = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
	// OathkeeperMaesterPrincipal is the identity the controller allows for routes that
	// go through the Oathkeeper proxy (v1beta1, Istio handler).
	OathkeeperMaesterPrincipal = "cluster.local/ns/kyma-system/sa/oathkeeper-maester-account"
)

// ScopeClaims are the claims a required scope may appear in; a token passes when any
// one of them holds every required scope, so each becomes its own policy rule (OR).
var ScopeClaims = []string{"request.auth.claims[scp]", "request.auth.claims[scope]", "request.auth.claims[scopes]"}

// AudienceClaim is the claim audiences are checked against.
const AudienceClaim = "request.auth.claims[aud]"

// Policy describes one AuthorizationPolicy.
type Policy struct {
	// Selector is the workload selector; nil leaves it out (namespace-wide policy).
	Selector map[string]string
	// Provider, when set, makes a CUSTOM policy for that extension provider: only the
	// operation counts, no sources or conditions.
	Provider string
	// Operation fields.
	Hosts, Methods, Paths, NotPaths []string
	// Source fields: all given principals and request principals must hold (one source).
	Principals, RequestPrincipals []string
	// Conditions: every required scope (in one of ScopeClaims) and every audience.
	RequiredScopes, Audiences []string
}

// New builds the AuthorizationPolicy spec.
func New(p Policy) *security.AuthorizationPolicy {
	ap := &security.AuthorizationPolicy{}
	if p.Selector != nil {
		ap.Selector = &typev1beta1.WorkloadSelector{MatchLabels: p.Selector}
	}
	to := []*security.Rule_To{{Operation: &security.Operation{
		Hosts: p.Hosts, Methods: p.Methods, Paths: p.Paths, NotPaths: p.NotPaths,
	}}}
	if p.Provider != "" {
		ap.Action = security.AuthorizationPolicy_CUSTOM
		ap.ActionDetail = &security.AuthorizationPolicy_Provider{
			Provider: &security.AuthorizationPolicy_ExtensionProvider{Name: p.Provider},
		}
		ap.Rules = []*security.Rule{{To: to}}
		return ap
	}
	from := []*security.Rule_From{{Source: &security.Source{
		Principals: p.Principals, RequestPrincipals: p.RequestPrincipals,
	}}}
	audiences := conditions(AudienceClaim, p.Audiences)
	if len(p.RequiredScopes) == 0 {
		ap.Rules = []*security.Rule{{From: from, To: to, When: audiences}}
		return ap
	}
	for _, claim := range ScopeClaims {
		when := append(conditions(claim, p.RequiredScopes), audiences...)
		ap.Rules = append(ap.Rules, &security.Rule{From: from, To: to, When: when})
	}
	return ap
}

// conditions requires every value (one condition each: AND).
func conditions(key string, values []string) []*security.Condition {
	var out []*security.Condition
	for _, v := range values {
		out = append(out, &security.Condition{Key: key, Values: []string{v}})
	}
	return out
}
