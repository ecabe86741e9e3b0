// Package access is the one model of effective access: given the objects an
// APIRule renders into (Istio VirtualServices, AuthorizationPolicies and
// RequestAuthentications, Oathkeeper Rules) and a request (host, method, path and
// an optional JWT), it says what the mesh would do with the request: whether a
// route takes it and where (the target Service or the Oathkeeper proxy), whether
// it is let through, and what token the route asks for (issuers, scopes,
// audiences).
//
// It serves two masters that must agree: the security checks, which ask "is this
// path open without a token?", and the v2 migration, which compares what an
// APIRule allows before and after it is rewritten. Both therefore ask one model
// rather than each reading the generated objects its own way.
//
// # What is modelled
//
// Istio, as far as the generated objects use it:
//   - VirtualServices: the first route (in object order, then route order) whose
//     uri (exact, prefix, full-match RE2 regex) and method match the request, among
//     the VirtualServices that list the request's host (exact or "*." wildcard).
//     Gateways are not checked: every VirtualService is taken as bound to the
//     ingress gateway the request comes through.
//   - RequestAuthentication of the destination workload: a token in a location one
//     of its JWT rules reads must come from one of its issuers, or the request is
//     rejected (401); a request without a token passes without an identity.
//   - AuthorizationPolicies of the destination workload (its namespace, plus
//     namespace-wide policies of the root namespace istio-system): CUSTOM first
//     (reported as the extension provider's decision), then DENY, then ALLOW (no
//     ALLOW policy means allowed; otherwise one ALLOW rule must match). Rules match
//     on principals, request principals ("<issuer>/*"), hosts, methods, paths and
//     notPaths (exact, "*" prefix/suffix, and the path templates {*} and {**}), and
//     the claim conditions the controller writes (scp, scope, scopes, aud).
//
// Oathkeeper, for routes to the Oathkeeper proxy: the one Rule whose methods and
// match.url (an Oathkeeper regex template, "<http|https>://host</path>") match
// (none: 404; several: 500, as Oathkeeper refuses to choose), then its
// authenticator chain: noop and anonymous pass, unauthorized fails, jwt checks
// issuer, scopes and audiences of a token in its location and hands over to the
// next authenticator when there is none; oauth2_introspection, cookie_session and
// oauth2_client_credentials ask an outside server, so their outcome is reported as
// unknown. The request then reaches the Rule's upstream Service, whose Istio
// policies are evaluated with the Oathkeeper identity.
//
// # What is not
//
// Headers other than the token, query strings, CORS preflights, ports, mTLS modes,
// timeouts, retries and the token's signature and expiry: a token is described by
// its issuer, scopes and audiences and is taken as otherwise valid. Which keys
// verify it matters only for an Oathkeeper jwt authenticator without
// trusted_issuers, which accepts any issuer its JWKS keys verify: Mesh.JWKSIssuers
// says whose tokens the keys at a URL verify (unknown URLs verify anyone's).
//
// The Services behind the routes are named by destination host
// ("<name>.<namespace>.svc.cluster.local"); their workload labels come from the
// Mesh's Selector function, which callers with a cluster view set. Without one,
// the label a renderer assumes ({app: <name>}) is used.
package access
