package validation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// v1beta1Rule parses the spec of a v1beta1 APIRule demo/httpbin.
func v1beta1Rule(t *testing.T, spec string) *apirule.V1beta1APIRule {
	t.Helper()
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte("apiVersion: gateway.kyma-project.io/v1beta1\nkind: APIRule\nmetadata: {name: httpbin, namespace: demo}\nspec:\n"+v1beta1Indent(spec)), &obj))
	var ar apirule.V1beta1APIRule
	require.NoError(t, apirule.Decode(obj, &ar))
	return &ar
}

func v1beta1Indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ") + "\n"
}

// v1beta1Cluster holds the Services the cases use: httpbin with a selector, bare
// without one.
const v1beta1Cluster = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: demo}
spec: {selector: {app: httpbin}}
---
apiVersion: v1
kind: Service
metadata: {name: bare, namespace: demo}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: foreign, namespace: other}
spec: {hosts: [taken.example.com]}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: foreign-legacy, namespace: other, labels: {apirule.gateway.kyma-project.io/v1beta1: x.other}}
spec: {hosts: [taken.example.com]}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: mine
  namespace: demo
  labels: {apirule.gateway.kyma-project.io/name: httpbin, apirule.gateway.kyma-project.io/namespace: demo}
spec: {hosts: [mine.example.com]}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: mine-legacy, namespace: demo, labels: {apirule.gateway.kyma-project.io/v1beta1: httpbin.demo}}
spec: {hosts: [mine.example.com]}
`

// v1beta1Head is the start of a valid spec with a spec-level Service.
const v1beta1Head = "host: httpbin.example.com\ngateway: kyma-system/kyma-gateway\nservice: {name: httpbin, port: 8000}\n"

func TestV1beta1(t *testing.T) {
	tests := []struct {
		name   string
		istio  bool
		domain string
		spec   string
		want   []Failure
	}{
		{
			name: "valid ory rules",
			spec: v1beta1Head + `rules:
- {path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}
- {path: /a, methods: [GET], accessStrategies: [{handler: noop, config: {}}], mutators: [{handler: id_token}]}
- {path: /b, methods: [GET], accessStrategies: [{handler: oauth2_introspection, config: {introspection_url: x}}]}
- {path: /c, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: [https://i.example.com], jwks_urls: ['file://keys']}}]}`,
		},
		{
			name: "host nil",
			spec: "gateway: g\nservice: {name: httpbin, port: 80}\nrules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]",
			want: []Failure{{".spec.host", "Host was nil"}},
		},
		{
			name: "short host without default domain",
			spec: "host: httpbin\nservice: {name: httpbin, port: 80}\nrules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]",
			want: []Failure{{".spec.host", "Host does not contain a domain name and no default domain name is configured"}},
		},
		{
			name:   "short host completed by the default domain is occupied",
			domain: "example.com",
			spec:   "host: taken\nservice: {name: httpbin, port: 80}\nrules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]",
			want: []Failure{
				{".spec.host", "This host is occupied by another Virtual Service"},
				{".spec.host", "This host is occupied by another Virtual Service"},
			},
		},
		{
			name: "own VirtualServices do not occupy the host",
			spec: "host: mine.example.com\nservice: {name: httpbin, port: 80}\nrules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]",
		},
		{
			name: "no rules",
			spec: v1beta1Head,
			want: []Failure{{".spec.rules", "No rules defined"}},
		},
		{
			name: "same path and method",
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET], accessStrategies: [{handler: allow}]}
- {path: /a, methods: [POST, GET], accessStrategies: [{handler: allow}]}`,
			want: []Failure{{".spec.rules", "multiple rules defined for the same path and method"}},
		},
		{
			name: "a method repeated within one rule counts when there are several rules",
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET, GET], accessStrategies: [{handler: allow}]}
- {path: /b, methods: [GET], accessStrategies: [{handler: allow}]}`,
			want: []Failure{{".spec.rules", "multiple rules defined for the same path and method"}},
		},
		{
			name: "no service anywhere skips the strategy checks",
			spec: "host: a.example.com\nrules: [{path: /, methods: [GET], accessStrategies: [{handler: bogus}]}]",
			want: []Failure{{".spec.rules[0].service", "No service defined with no main service on spec level"}},
		},
		{
			name: "no access strategies",
			spec: v1beta1Head + "rules: [{path: /, methods: [GET]}]",
			want: []Failure{{".spec.rules[0].accessStrategies", "No accessStrategies defined"}},
		},
		{
			name: "ory exclusive strategies",
			spec: v1beta1Head + "rules: [{path: /, methods: [GET], accessStrategies: [{handler: noop}, {handler: allow}, {handler: no_auth}]}]",
			want: []Failure{
				{".spec.rules[0].accessStrategies.accessStrategies[1].handler", "allow access strategy is not allowed in combination with other access strategies"},
				{".spec.rules[0].accessStrategies.accessStrategies[2].handler", "no_auth access strategy is not allowed in combination with other access strategies"},
				{".spec.rules[0].accessStrategies.accessStrategies[0].handler", "noop access strategy is not allowed in combination with other access strategies"},
			},
		},
		{
			name:  "istio makes jwt exclusive too",
			istio: true,
			spec: v1beta1Head + `rules: [{path: /, methods: [GET], accessStrategies: [
  {handler: oauth2_introspection},
  {handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://i/jwks'}]}}]}]`,
			want: []Failure{{".spec.rules[0].accessStrategies.accessStrategies[1].handler", "jwt access strategy is not allowed in combination with other access strategies"}},
		},
		{
			name: "secure and insecure",
			spec: v1beta1Head + "rules: [{path: /, methods: [GET], accessStrategies: [{handler: unauthorized}, {handler: cookie_session}]}]",
			want: []Failure{{".spec.rules[0].accessStrategies", "Secure access strategies cannot be used in combination with unsecure access strategies"}},
		},
		{
			name: "unsupported strategy and config where none is allowed",
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET], accessStrategies: [{handler: bearer}]}
- {path: /b, methods: [GET], accessStrategies: [{handler: allow, config: {a: b}}]}
- {path: /c, methods: [GET], accessStrategies: [{handler: cookie_session, config: {a: b}}]}`,
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].handler", "Unsupported accessStrategy: bearer"},
				{".spec.rules[1].accessStrategies[0].config", "strategy: allow does not support configuration"},
				{".spec.rules[2].accessStrategies[0].config", "strategy: cookie_session does not support configuration"},
			},
		},
		{
			name: "ory jwt configs",
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET], accessStrategies: [{handler: jwt}]}
- {path: /b, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: 'https://i'}}]}
- {path: /c, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i}]}}]}
- {path: /d, methods: [GET], accessStrategies: [{handler: jwt, config: {trusted_issuers: ['', 'http://ok'], jwks_urls: ['not a uri']}}]}`,
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].config", "supplied config cannot be empty"},
				{".spec.rules[1].accessStrategies[0].config", "Can't read json: json: cannot unmarshal string into Go struct field JWTAccStrConfig.trusted_issuers of type []string"},
				{".spec.rules[2].accessStrategies[0].config.authentications", "Configuration for authentications is not supported with Ory handler"},
				{".spec.rules[3].accessStrategies[0].config.trusted_issuers[0]", "value is empty or not a valid uri err=value is empty"},
				{".spec.rules[3].accessStrategies[0].config.jwks_urls[0]", `value is empty or not a valid uri err=parse "not a uri": invalid URI for request`},
			},
		},
		{
			name:  "istio jwt config that does not decode fails twice",
			istio: true,
			spec:  v1beta1Head + "rules: [{path: /, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: x}}]}]",
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].config", "Can't read json: json: cannot unmarshal string into Go struct field JwtConfig.authentications of type []*v1beta1.JwtAuthentication"},
				{".spec.rules[0].accessStrategy[0]", "Can't read json: json: cannot unmarshal string into Go struct field JwtConfig.authentications of type []*v1beta1.JwtAuthentication"},
			},
		},
		{
			name:  "istio jwt rejects ory keys and needs authentications",
			istio: true,
			spec: v1beta1Head + `rules: [{path: /, methods: [GET], accessStrategies: [{handler: jwt, config: {
  jwks_urls: ['https://k'], required_scope: [read], trusted_issuers: ['https://i']}}]}]`,
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].config.jwks_urls", "Configuration for jwks_urls is not supported with Istio handler"},
				{".spec.rules[0].accessStrategies[0].config.required_scopes", "Configuration for required_scopes is not supported with Istio handler"},
				{".spec.rules[0].accessStrategies[0].config.trusted_issuers", "Configuration for trusted_issuers is not supported with Istio handler"},
				{".spec.rules[0].accessStrategies[0]", "Authentications are required when using JWT access handler"},
			},
		},
		{
			name:  "istio jwt authorizations",
			istio: true,
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k'}], authorizations: []}}]}
- path: /b
  methods: [GET]
  accessStrategies:
  - handler: jwt
    config:
      authentications: [{issuer: i, jwksUri: 'https://k'}]
      authorizations: [null, {requiredScopes: [], audiences: []}, {requiredScopes: [''], audiences: ['']}, {requiredScopes: [a]}]`,
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].config.authorizations", "value is empty"},
				{".spec.rules[1].accessStrategies[0].config.authorizations[0]", "authorization is empty"},
				{".spec.rules[1].accessStrategies[0].config.authorizations[1].requiredScopes", "value is empty"},
				{".spec.rules[1].accessStrategies[0].config.authorizations[1].audiences", "value is empty"},
				{".spec.rules[1].accessStrategies[0].config.authorizations[2].requiredScopes", "scope value is empty"},
				{".spec.rules[1].accessStrategies[0].config.authorizations[2].audiences", "audience value is empty"},
			},
		},
		{
			name:  "istio jwt authentications",
			istio: true,
			spec: v1beta1Head + `rules: [{path: /, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [
  {issuer: '', jwksUri: ''},
  {issuer: 'http://a b', jwksUri: 'https://k', fromHeaders: [{name: h1}, {name: h2}]},
  {issuer: plain, jwksUri: 'https://k', fromParams: [p1, p2]}]}}]}]`,
			want: []Failure{
				{".spec.rules[0].accessStrategies[0].config.authentications[0].issuer", "value is empty or not a valid uri err=value is empty"},
				{".spec.rules[0].accessStrategies[0].config.authentications[0].jwksUri", "value is empty or not a valid uri err=value is empty"},
				{".spec.rules[0].accessStrategies[0].config.authentications[1].issuer", `value is empty or not a valid uri err=parse "http://a b": invalid character " " in host name`},
				{".spec.rules[0].accessStrategies[0].config.authentications[1].fromHeaders", "multiple fromHeaders are not supported"},
				{".spec.rules[0].accessStrategies[0].config.authentications[2].fromParams", "mixture of multiple fromHeaders and fromParams is not supported"},
				{".spec.rules[0].accessStrategies[0].config.authentications[2].fromParams", "multiple fromParams are not supported"},
			},
		},
		{
			name:  "istio jwt needs a Service selector",
			istio: true,
			spec: v1beta1Head + `rules: [{path: /, service: {name: bare, port: 80}, methods: [GET],
  accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k'}]}}]}]`,
			want: []Failure{{".spec.rules[0].accessStrategies[0].injection.injection", "Target service label selectors are not defined"}},
		},
		{
			name:  "istio mutators of jwt rules",
			istio: true,
			spec: v1beta1Head + `rules:
- path: /a
  methods: [GET]
  accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k'}]}}]
  mutators: [{handler: ''}, {handler: id_token}, {handler: header}, {handler: header, config: {headers: {}}}]
- path: /b
  methods: [GET]
  accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k'}]}}]
  mutators: [{handler: cookie, config: {cookies: {'': v}}}, {handler: header, config: {headers: x}}]
- path: /c
  methods: [GET]
  accessStrategies: [{handler: noop}]
  mutators: [{handler: id_token}]`,
			want: []Failure{
				{".spec.rules[0].mutators[3].handler.header", "mutator for same handler already exists"},
				{".spec.rules[0].mutators[0].handler", "mutator handler cannot be empty"},
				{".spec.rules[0].mutators[1].handler", "unsupported mutator: id_token"},
				{".spec.rules[0].mutators[2].handler.config", "headers cannot be empty"},
				{".spec.rules[0].mutators[3].handler.config", "headers cannot be empty"},
				{".spec.rules[1].mutators[0].handler.config.cookies.name", "cannot be empty"},
				{".spec.rules[1].mutators[1].handler.config", "Can't read json: json: cannot unmarshal string into Go struct field HeaderMutatorConfig.headers of type map[string]string"},
			},
		},
		{
			name:  "istio jwt configs that differ for the same issuer",
			istio: true,
			spec: v1beta1Head + `rules:
- {path: /a, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k', fromParams: [t]}]}}]}
- {path: /b, methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: i, jwksUri: 'https://k', fromHeaders: [{name: h}]}]}}]}`,
			want: []Failure{{".spec.rules[1].accessStrategy[0].config.authentications[0]", "multiple jwt configurations that differ for the same issuer"}},
		},
	}
	view := newView(t, v1beta1Cluster)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := V1beta1(v1beta1Rule(t, tt.spec), V1beta1Env{Istio: tt.istio, DefaultDomain: tt.domain, Cluster: view})
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestIstioJWTUnknownKeys: class 6 of the security review. The controller ignores
// keys an Istio-handler jwt config does not have; a misspelt requiredScopes would
// drop the scope condition in silence, so the function refuses them at the key.
func TestIstioJWTUnknownKeys(t *testing.T) {
	tests := []struct {
		name, config string
		want         []Failure
	}{
		{"known keys", `{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k","fromHeaders":[{"name":"x","prefix":"p"}],"fromParams":["t"]}],"authorizations":[{"requiredScopes":["a"],"audiences":["b"]}]}`, nil},
		{"requiredScope typo", `{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k"}],"authorizations":[{"requiredScope":["a"]}]}`,
			[]Failure{{Path: "c.authorizations[0].requiredScope", Message: `unknown key "requiredScope" (known: audiences, requiredScopes): the controller would ignore it, and with it what it was meant to require`}}},
		{"top level and header typos", `{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k","fromHeaders":[{"nam":"x"}]}],"audiences":["b"]}`,
			[]Failure{
				{Path: "c.audiences", Message: `unknown key "audiences" (known: authentications, authorizations): the controller would ignore it, and with it what it was meant to require`},
				{Path: "c.authentications[0].fromHeaders[0].nam", Message: `unknown key "nam" (known: name, prefix): the controller would ignore it, and with it what it was meant to require`},
			}},
		{"near miss: the ory keys have the controller's own message", `{"authentications":[{"issuer":"https://i","jwksUri":"https://i/k"}],"trusted_issuers":["x"]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, unknownJWTKeys("c", []byte(tt.config)))
		})
	}
}
