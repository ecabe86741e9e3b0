// Package migrate rewrites v1alpha1 and v1beta1 APIRules as v2 APIRules, only
// where the meaning is kept (mode: migrate, `apirule-fn migrate`).
//
// v2 has no Oathkeeper: it is enforced by Istio alone, so only what Istio can do
// converts: hosts, gateways (old "name.namespace.svc.cluster.local" names become
// "namespace/name"), services, timeouts, CORS (the controller's default policy of
// APIRules without one is written out, since v2 has none), no_auth and allow as
// noAuth, noop and anonymous as noAuth when no mutator needs Oathkeeper, jwt with
// the Istio handler's config as it is, jwt with an Oathkeeper config as one
// authentication per JWKS URL (the issuer from the one trusted_issuers entry or
// the issuers config) and one authorization for its scopes and audiences, static
// header and cookie mutators as request headers and cookies, and regex paths whose
// v2 form means the same ("/.*" → "/*", literal paths, "/p/.*" → "/p/{**}").
//
// Anything else is reported, never guessed: an APIRule that does not convert in
// full is left unchanged, with one finding per blocking field saying why and what
// to do. A v1beta1 APIRule created as v2 (annotation original-version: v2) becomes
// what the API server's conversion makes of it, since that is what the controller
// runs.
//
// A conversion is kept only when its result passes the v2 CRD check and renders.
// Its objects are then compared with the old ones through package access over a
// table of requests per rule (Requests): the rule's methods and one more, paths
// inside and next to its path, no token and tokens with and without the required
// scopes and audiences. Each difference (Oathkeeper's regex paths against v2's
// exact ones, methods a v1beta1 route did not restrict, a token-less policy the v2
// notPaths no longer let cover a jwt path) is reported on the rule.
package migrate
