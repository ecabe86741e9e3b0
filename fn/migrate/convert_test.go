package migrate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
)

func TestTranslatePath(t *testing.T) {
	for _, c := range []struct {
		path  string
		istio bool
		want  string
	}{
		{"/.*", false, "/*"},
		{"/*", true, "/*"},
		{"/*", false, ""},
		{"/", false, "/"},
		{"/headers", false, "/headers"},
		{"/api/v1.json", false, "/api/v1.json"},
		{"/api/.*", false, "/api/{**}"},
		{"/api/v1/.*", true, "/api/v1/{**}"},
		{"/static/.+\\.js", false, ""},
		{"/img/[0-9]+", false, ""},
		{"/api/.*/items", false, ""},
		{"/a|/b", false, ""},
		{"/a$", false, ""},
		{"/(a)", false, ""},
	} {
		got, why := translatePath(c.path, c.istio)
		assert.Equal(t, c.want, got, c.path)
		assert.Equal(t, c.want == "", why != "", "%s: reason %q", c.path, why)
	}
}

func v1beta1(t *testing.T, spec string) *apirule.V1beta1APIRule {
	t.Helper()
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte("apiVersion: gateway.kyma-project.io/v1beta1\nkind: APIRule\nmetadata: {name: a, namespace: ns}\nspec:\n"+spec), &obj))
	ar := &apirule.V1beta1APIRule{}
	require.NoError(t, apirule.Decode(obj, ar))
	return ar
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestConvert shows, per case, the v2 rule a v1beta1 rule becomes, or the paths
// of the fields that block it.
func TestConvert(t *testing.T) {
	const head = "  host: a.example.org\n  gateway: kyma-system/kyma-gateway\n  service: {name: s, port: 80}\n  corsPolicy: {allowOrigins: [{exact: 'https://x.example.org'}]}\n  rules:\n"
	opts := Options{Issuers: map[string]string{"https://idp/keys": "https://idp"}}
	for _, c := range []struct {
		name, rule, want string
		blockers         []string
	}{
		{"no_auth", "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}",
			`{"path":"/a","methods":["GET"],"noAuth":true}`, nil},
		{"allow drops the mutators the controller ignores", "  - {path: /.*, methods: [GET], accessStrategies: [{handler: allow}], mutators: [{handler: id_token}]}",
			`{"path":"/*","methods":["GET"],"noAuth":true}`, nil},
		{"noop with static mutators", "  - {path: /a, methods: [GET], accessStrategies: [{handler: noop}], mutators: [{handler: header, config: {headers: {X-A: b}}}, {handler: cookie, config: {cookies: {c: d}}}]}",
			`{"path":"/a","methods":["GET"],"request":{"headers":{"X-A":"b"},"cookies":{"c":"d"}},"noAuth":true}`, nil},
		{"noop with a template header", "  - {path: /a, methods: [GET], accessStrategies: [{handler: noop}], mutators: [{handler: header, config: {headers: {X-User: '{{ print .Subject }}'}}}]}",
			"", []string{"spec.rules[0].mutators[0].config"}},
		{"Istio-handler jwt: the template was never filled in, it converts as text", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: 'https://i', jwksUri: 'https://i/k'}]}}], mutators: [{handler: header, config: {headers: {X-User: '{{ print .Subject }}'}}}]}",
			`{"path":"/a","methods":["GET"],"request":{"headers":{"X-User":"{{ print .Subject }}"}},"jwt":{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k"}],"authorizations":null}}`, nil},
		{"noop with id_token", "  - {path: /a, methods: [GET], accessStrategies: [{handler: noop}], mutators: [{handler: id_token}]}",
			"", []string{"spec.rules[0].mutators[0].handler"}},
		{"Oathkeeper jwt with one trusted issuer", "  - {path: /a/.*, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: ['https://t'], jwks_urls: ['https://t/keys'], required_scope: [read], target_audience: [app], token_from: {header: X-Token}}}]}",
			`{"path":"/a/{**}","methods":["GET"],"jwt":{"authentications":[{"issuer":"https://t","jwksUri":"https://t/keys","fromHeaders":[{"name":"X-Token"}]}],"authorizations":[{"requiredScopes":["read"],"audiences":["app"]}]}}`, nil},
		{"Oathkeeper jwt with the issuer from the config", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ['https://idp/keys']}}]}",
			`{"path":"/a","methods":["GET"],"jwt":{"authentications":[{"issuer":"https://idp","jwksUri":"https://idp/keys"}],"authorizations":null}}`, nil},
		{"Oathkeeper jwt without an issuer", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ['https://other/keys']}}]}",
			"", []string{"spec.rules[0].accessStrategies[0].config.jwks_urls[0]"}},
		{"Oathkeeper jwt with an issuer trusted_issuers does not list", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: ['https://x', 'https://y'], jwks_urls: ['https://idp/keys']}}]}",
			"", []string{"spec.rules[0].accessStrategies[0].config.jwks_urls[0]"}},
		{"Oathkeeper jwt reading a cookie, with a scope strategy", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: ['https://t'], jwks_urls: ['https://t/keys'], scope_strategy: wildcard, token_from: {cookie: c}}}]}",
			"", []string{"spec.rules[0].accessStrategies[0].config.scope_strategy", "spec.rules[0].accessStrategies[0].config.token_from"}},
		{"Istio jwt", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: 'https://i', jwksUri: 'https://i/k', fromParams: [t]}], authorizations: [{requiredScopes: [r]}]}}], mutators: [{handler: header, config: {headers: {X: y}}}]}",
			`{"path":"/a","methods":["GET"],"request":{"headers":{"X":"y"}},"jwt":{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k","fromParams":["t"]}],"authorizations":[{"requiredScopes":["r"],"audiences":null}]}}`, nil},
		{"oauth2_introspection needs extAuth", "  - {path: /a, methods: [GET], accessStrategies: [{handler: oauth2_introspection}]}",
			"", []string{"spec.rules[0].accessStrategies[0].handler"}},
		{"unauthorized", "  - {path: /a, methods: [GET], accessStrategies: [{handler: unauthorized}]}",
			"", []string{"spec.rules[0].accessStrategies[0].handler"}},
		{"two strategies", "  - {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: ['https://t'], jwks_urls: ['https://t/keys']}}, {handler: oauth2_introspection}]}",
			"", []string{"spec.rules[0].accessStrategies"}},
		{"regex path", "  - {path: '/img/[0-9]+', methods: [GET], accessStrategies: [{handler: no_auth}]}",
			"", []string{"spec.rules[0].path"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := opts
			o.Istio = strings.Contains(c.name, "Istio")
			v2, blockers, _ := Convert(v1beta1(t, head+c.rule), o)
			var paths []string
			for _, b := range blockers {
				paths = append(paths, b.Path)
				assert.NotEmpty(t, b.Message)
			}
			assert.Equal(t, c.blockers, paths)
			if c.want != "" {
				require.Len(t, v2.Spec.Rules, 1)
				assert.JSONEq(t, c.want, asJSON(t, v2.Spec.Rules[0]))
			}
		})
	}
}

func TestConvertSpec(t *testing.T) {
	ar := v1beta1(t, "  host: a\n  gateway: kyma-gateway.kyma-system.svc.cluster.local\n  timeout: 20\n  rules:\n  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n")
	opts := Options{DefaultDomain: "example.org", DefaultCors: config.DefaultCors(),
		GatewayDomain: func(ref string) string { return map[string]string{"kyma-system/kyma-gateway": "example.org"}[ref] }}
	v2, blockers, notes := Convert(ar, opts)
	require.Empty(t, blockers)
	assert.Equal(t, "gateway.kyma-project.io/v2", v2.APIVersion)
	assert.Equal(t, []string{"a"}, v2.Spec.Hosts, "the Gateway completes the short host with the same domain")
	assert.Equal(t, "kyma-system/kyma-gateway", *v2.Spec.Gateway)
	assert.Equal(t, int64(20), *v2.Spec.Timeout)
	assert.Equal(t, []map[string]string{{"regex": ".*"}}, v2.Spec.CorsPolicy.AllowOrigins, "the controller's default CORS is written out")
	require.Len(t, notes, 1)
	assert.Equal(t, "spec.corsPolicy", notes[0].Path)

	opts.GatewayDomain = func(string) string { return "other.org" }
	v2, _, _ = Convert(ar, opts)
	assert.Equal(t, []string{"a.example.org"}, v2.Spec.Hosts, "another Gateway domain: the host is written in full")

	ar = v1beta1(t, "  host: a.example.org\n  gateway: a.b.c\n  corsPolicy: {allowOrigins: [{regex: '.*'}], maxAge: 1500ms}\n  rules:\n  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n")
	_, blockers, _ = Convert(ar, opts)
	var paths []string
	for _, b := range blockers {
		paths = append(paths, b.Path)
	}
	assert.Equal(t, []string{"spec.gateway", "spec.corsPolicy.maxAge"}, paths)
}

// TestRewriteKeepsComments rewrites a v1beta1 node: kept fields keep their
// comments, and the comment of accessStrategies moves to the new access key.
func TestRewriteKeepsComments(t *testing.T) {
	src := `# the shop API
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata:
  name: shop # keep me
  namespace: ns
spec:
  # public host
  host: shop.example.org
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service: {name: shop, port: 80}
  rules:
  - path: /.*
    methods: [GET] # reads only
    # open to all
    accessStrategies:
    - handler: no_auth
`
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	n := doc.Content[0]
	ar := v1beta1(t, "  host: shop.example.org\n  gateway: kyma-gateway.kyma-system.svc.cluster.local\n  service: {name: shop, port: 80}\n  rules:\n  - {path: /.*, methods: [GET], accessStrategies: [{handler: no_auth}]}\n")
	v2, blockers, _ := Convert(ar, Options{})
	require.Empty(t, blockers)
	require.NoError(t, rewrite(n, v2))
	out, err := yaml.NewRNode(n).String()
	require.NoError(t, err)
	assert.Equal(t, `# the shop API
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata:
  name: shop # keep me
  namespace: ns
spec:
  # public host
  hosts:
  - shop.example.org
  gateway: kyma-system/kyma-gateway
  service: {name: shop, port: 80}
  rules:
  - path: /*
    methods: [GET] # reads only
    # open to all
    noAuth: true
`, out)
	assert.False(t, strings.Contains(out, "accessStrategies"))
}
