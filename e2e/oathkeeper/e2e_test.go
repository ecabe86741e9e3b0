package oathkeeper

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// httpbinService is the Service every APIRule here exposes, as Rules and VirtualServices name it.
const httpbinService = "httpbin.default.svc.cluster.local:8000"

// tutorialAPIRule is the v1alpha1 APIRule of the tutorial for host, with the given jwt
// access-strategy config (JSON).
func tutorialAPIRule(name, host, jwtConfig string) string {
	return fmt.Sprintf(`
apiVersion: gateway.kyma-project.io/v1alpha1
kind: APIRule
metadata: {name: %s, namespace: default}
spec:
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service: {name: httpbin, port: 8000, host: %s}
  rules:
  - path: /.*
    methods: ["GET"]
    accessStrategies:
    - handler: jwt
      config: %s
`, name, host, jwtConfig)
}

// TestV1alpha1TutorialJWT follows the tutorial: discovery, client_credentials token, and calls
// with and without a valid Bearer token to the host its v1alpha1 APIRule exposes. A second
// APIRule on another host adds required_scope to the jwt config.
func TestV1alpha1TutorialJWT(t *testing.T) {
	const host, scopedHost, scope = "httpbin.example.com", "httpbin-scoped.example.com", "httpbin:read"
	d := env.idp.discover(t)
	out := render(t,
		tutorialAPIRule("httpbin", host, fmt.Sprintf(`{"jwks_urls": [%q]}`, d.JWKSURI)),
		tutorialAPIRule("httpbin-scoped", scopedHost, fmt.Sprintf(`{"jwks_urls": [%q], "required_scope": [%q]}`, d.JWKSURI, scope)),
	)
	require.Len(t, out.rules, 2, "apirule-fn must render one oathkeeper.ory.sh/v1alpha1 Rule per APIRule")

	t.Run("the Rule carries the tutorial's jwt access strategy verbatim", func(t *testing.T) {
		r := ruleFor(t, out, "<http|https>://"+host+"</.*>")
		require.Equal(t, []string{"GET"}, r.Spec.Match.Methods)
		require.Len(t, r.Spec.Authenticators, 1)
		require.Equal(t, "jwt", r.Spec.Authenticators[0].Handler)
		require.JSONEq(t, fmt.Sprintf(`{"jwks_urls": [%q]}`, d.JWKSURI), string(r.Spec.Authenticators[0].Config))
		require.NotNil(t, r.Spec.Authorizer)
		require.Equal(t, "allow", r.Spec.Authorizer.Handler)
		require.NotNil(t, r.Spec.Upstream)
		require.Equal(t, "http://"+httpbinService, r.Spec.Upstream.URL)
	})

	gw, _ := enforce(t, out)
	defer clock.start("requests")()
	token := env.idp.clientCredentialsToken(t, d, "")

	t.Run("valid token: forwarded through Oathkeeper", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, host, "/headers", bearer(token))
		require.Equal(t, oathkeeperService, resp.destination, "the VirtualService must route the secured path to Oathkeeper")
		requireForwarded(t, resp)
	})
	t.Run("no token: 401", func(t *testing.T) {
		requireRefused(t, gw.do(t, http.MethodGet, host, "/headers", nil), http.StatusUnauthorized, "")
	})
	t.Run("token signed by another key: 401", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, host, "/headers", bearer(resignWithForeignKey(t, token)))
		requireRefused(t, resp, http.StatusUnauthorized, "verification error")
	})
	t.Run("expired token: 401", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, host, "/headers", bearer(env.idp.expiredToken(t)))
		requireRefused(t, resp, http.StatusUnauthorized, "token is expired")
	})
	t.Run("required_scope: token with the scope is forwarded", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, scopedHost, "/headers", bearer(env.idp.clientCredentialsToken(t, d, scope)))
		requireForwarded(t, resp)
	})
	// Oathkeeper's jwt authenticator reports a missing scope as 401, not 403: in v0.40.9 every
	// verification failure of the token, the scope check included, becomes ErrUnauthorized
	// (pipeline/authn/authenticator_jwt.go). 403 would take an authorizer that denies, and the
	// rendered Rules always use authorizer allow.
	t.Run("required_scope: token without the scope is refused (401)", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, scopedHost, "/headers", bearer(token))
		requireRefused(t, resp, http.StatusUnauthorized, fmt.Sprintf(`missing required scope "%s"`, scope))
	})
	t.Run("method the APIRule does not list: not forwarded (404, no rule)", func(t *testing.T) {
		resp := gw.do(t, http.MethodPost, host, "/headers", bearer(token))
		require.Equal(t, oathkeeperService, resp.destination, "a v1alpha1 VirtualService does not match methods")
		requireRefused(t, resp, http.StatusNotFound, "")
	})
}

// betaAPIRule is a v1beta1 APIRule with one path through Oathkeeper (noop, with a header
// mutator) and one path open to the Service (allow).
const betaAPIRule = `
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: httpbin-beta, namespace: default}
spec:
  gateway: kyma-system/kyma-gateway
  host: httpbin-beta.example.com
  service: {name: httpbin, port: 8000}
  rules:
  - path: /headers
    methods: ["GET"]
    accessStrategies: [{handler: noop}]
    mutators: [{handler: header, config: {headers: {X-Mutated-By: oathkeeper}}}]
  - path: /anything/.*
    methods: ["GET"]
    accessStrategies: [{handler: allow}]
`

// TestV1beta1NoopAndAllow checks the v1beta1 Ory handler: noop goes through Oathkeeper without
// a token, allow bypasses Oathkeeper entirely.
func TestV1beta1NoopAndAllow(t *testing.T) {
	const host = "httpbin-beta.example.com"
	out := render(t, betaAPIRule)
	require.Len(t, out.rules, 1, "apirule-fn must render exactly one Rule: for the noop path, none for allow")
	require.Equal(t, "<http|https>://"+host+"</headers>", out.rules[0].Spec.Match.URL)

	gw, proxy := enforce(t, out)
	defer clock.start("requests")()

	t.Run("allow path: routed by the VirtualService straight to the Service", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, host, "/anything/x", nil)
		require.Equal(t, httpbinService, resp.destination)
		requireForwarded(t, resp)
	})
	t.Run("allow path: Oathkeeper has no rule for it (404)", func(t *testing.T) {
		requireRefused(t, send(t, proxy, http.MethodGet, host, "/anything/x", nil), http.StatusNotFound, "")
	})
	t.Run("noop path: forwarded through Oathkeeper without a token, mutator applied", func(t *testing.T) {
		resp := gw.do(t, http.MethodGet, host, "/headers", nil)
		require.Equal(t, oathkeeperService, resp.destination)
		headers := requireForwarded(t, resp)
		require.Equal(t, "oathkeeper", headers.Get("X-Mutated-By"))
	})
	t.Run("noop path, method the APIRule does not list: not forwarded (404)", func(t *testing.T) {
		requireRefused(t, gw.do(t, http.MethodPost, host, "/headers", nil), http.StatusNotFound, "")
	})
}

// enforce hands the rendered Rules to a fresh Oathkeeper and returns a gateway that routes by
// the rendered VirtualServices to it and to the upstream.
// It also returns Oathkeeper's proxy address, for requests that bypass the gateway.
func enforce(t *testing.T, out rendered) (gateway, string) {
	t.Helper()
	upstream := env.upstream.server.Listener.Addr().String()
	proxy := startOathkeeper(t, accessRules(t, out.rules, map[string]string{httpbinService: upstream}))
	return gateway{
		virtualServices: out.virtualServices,
		destinations:    map[string]string{oathkeeperService: proxy, httpbinService: upstream},
	}, proxy
}

// ruleFor returns the rendered Rule matching url.
func ruleFor(t *testing.T, out rendered, url string) oryRule {
	t.Helper()
	for _, r := range out.rules {
		if r.Spec.Match.URL == url {
			return r
		}
	}
	require.FailNow(t, "no Rule", "no rendered Rule matches %s", url)
	return oryRule{}
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// requireForwarded asserts the request succeeded and reached the upstream; it returns the
// headers the upstream received.
func requireForwarded(t *testing.T, resp response) http.Header {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.status, "body: %s", resp.body)
	headers, ok := env.upstream.saw(resp.requestID)
	require.True(t, ok, "the upstream did not receive the request")
	return headers
}

// requireRefused asserts the request got status, never reached the upstream and, when reason
// is not empty, that Oathkeeper's error names it.
func requireRefused(t *testing.T, resp response, status int, reason string) {
	t.Helper()
	require.Equal(t, status, resp.status, "body: %s", resp.body)
	_, ok := env.upstream.saw(resp.requestID)
	require.False(t, ok, "the upstream received a request that should have been refused")
	if reason != "" {
		var e struct {
			Error struct {
				Reason string `json:"reason"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(resp.body), &e), "body: %s", resp.body)
		require.Contains(t, e.Error.Reason, reason)
	}
}
