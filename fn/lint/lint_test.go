package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

func decode(t *testing.T, doc string, v any) {
	t.Helper()
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
	require.NoError(t, apirule.Decode(obj, v))
}

func TestV2(t *testing.T) {
	const head = "apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata: {name: a, namespace: d}\nspec:\n  hosts: [a.example.com]\n"
	tests := []struct {
		name string
		spec string
		want []Warning
	}{
		{"well configured: nothing", `  rules:
  - path: /orders/{*}
    methods: [GET]
    jwt:
      authentications: [{issuer: https://idp.example.com, jwksUri: https://idp.example.com/keys}]
      authorizations: [{audiences: [orders]}]`, nil},
		{"no audiences", `  rules:
  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: https://idp.example.com, jwksUri: https://idp.example.com/keys}]`,
			[]Warning{{"spec.rules[0].jwt.authorizations", "no audiences are required, so any token of the issuer passes, including tokens minted for other services; add audiences"}}},
		{"http, internal jwks and query tokens", `  rules:
  - path: /a
    methods: [GET]
    extAuth:
      authorizers: [x]
      restrictions:
        authentications:
        - {issuer: https://idp, jwksUri: "http://keycloak.auth.svc.cluster.local/keys", fromParams: [token]}
        authorizations: [{audiences: [a]}]`, []Warning{
			{"spec.rules[0].extAuth.restrictions.authentications[0].jwksUri", "JWKS http://keycloak.auth.svc.cluster.local/keys is fetched over plain HTTP: anyone on the path can swap the signing keys; use https"},
			{"spec.rules[0].extAuth.restrictions.authentications[0].jwksUri", "JWKS host keycloak.auth.svc.cluster.local is inside the cluster or the machine: the mesh fetches it server-side (see Istio's BLOCKED_CIDRS_IN_JWKS_URIS); use the issuer's public endpoint"},
			{"spec.rules[0].extAuth.restrictions.authentications[0].fromParams", "tokens read from query parameters end up in access logs and browser history; prefer fromHeaders"},
		}},
		{"metadata address", `  rules:
  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: https://idp, jwksUri: "https://169.254.169.254/keys"}]
      authorizations: [{audiences: [a]}]`, []Warning{
			{"spec.rules[0].jwt.authentications[0].jwksUri", "JWKS host 169.254.169.254 is inside the cluster or the machine: the mesh fetches it server-side (see Istio's BLOCKED_CIDRS_IN_JWKS_URIS); use the issuer's public endpoint"},
		}},
		{"credentials for any origin, odd path", `  corsPolicy:
    allowCredentials: true
    allowOrigins: [{exact: https://app.example.com}, {regex: ".*"}]
  rules:
  - path: /a//b
    methods: [GET]
    noAuth: true`, []Warning{
			{"spec.corsPolicy.allowOrigins[1]", `allowCredentials with an origin matcher that accepts any site (regex: ".*") lets every website send credentialed requests; list the origins`},
			{"spec.rules[0].path", `path "/a//b" contains "//" or a dot segment: proxies and backends normalise such paths differently, which can bypass path-based rules`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ar apirule.V2APIRule
			decode(t, head+tt.spec, &ar)
			assert.Equal(t, tt.want, V2(&ar))
		})
	}
}

func TestV1beta1(t *testing.T) {
	var ar apirule.V1beta1APIRule
	decode(t, `apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: a, namespace: d}
spec:
  host: a.example.com
  rules:
  - path: /.*
    methods: [GET]
    accessStrategies:
    - handler: jwt
      config: {jwks_urls: ["http://idp.example.com/keys"]}
  - path: /b
    methods: [GET]
    accessStrategies:
    - handler: jwt
      config:
        authentications: [{issuer: https://idp.example.com, jwksUri: https://idp.example.com/keys}]
`, &ar)
	assert.Equal(t, []Warning{
		{"spec.rules[0].accessStrategies[0].config.jwks_urls[0]", "JWKS http://idp.example.com/keys is fetched over plain HTTP: anyone on the path can swap the signing keys; use https"},
		{"spec.rules[1].accessStrategies[0].config.authorizations", "no audiences are required, so any token of the issuer passes, including tokens minted for other services; add audiences"},
	}, V1beta1(&ar))
}
