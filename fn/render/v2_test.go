package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

const v2Cluster = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ['*.local.kyma.dev']
    port: {number: 443, protocol: HTTPS}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: demo}
spec: {selector: {app: httpbin}}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: other-ns}
spec: {selector: {app: other, version: v1}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    extensionProviders:
    - name: oauth2-proxy
      envoyExtAuthzHttp: {service: oauth2-proxy.svc, port: 80}
`

// v2Full exercises every kind of rule; its output is asserted piece by piece below.
const v2Full = `
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: httpbin, namespace: demo}
spec:
  hosts: [httpbin]
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
  timeout: 300
  corsPolicy:
    allowOrigins: [{exact: https://example.com}]
    allowMethods: [GET]
    maxAge: 600
  rules:
  - path: /headers
    methods: [GET]
    noAuth: true
    request:
      headers: {X-Env: test}
      cookies: {user: u1, lang: en}
  - path: /jwt/{*}
    methods: [POST, GET]
    timeout: 15
    service: {name: other, namespace: other-ns, port: 9000}
    jwt:
      authentications: [{issuer: https://issuer.example.com, jwksUri: https://issuer.example.com/jwks}]
      authorizations:
      - requiredScopes: [read]
        audiences: [app]
      - audiences: [app2]
  - path: /ext/{**}
    methods: [GET]
    extAuth:
      authorizers: [oauth2-proxy]
      restrictions:
        authentications: [{issuer: https://issuer.example.com, jwksUri: https://issuer.example.com/jwks}]
  - path: /*
    methods: [GET, DELETE]
    noAuth: true
`

// v2Context renders against a cluster of the given YAML documents, default config.
func v2Context(t *testing.T, docs string) *Context { return v1beta1Context(t, docs, config.Config{}) }

func v2APIRule(t *testing.T, doc string) *apirule.V2APIRule {
	t.Helper()
	var plain map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &plain))
	var ar apirule.V2APIRule
	require.NoError(t, apirule.Decode(plain, &ar))
	return &ar
}

func v2SpecYAML(t *testing.T, o *object.Object) string {
	t.Helper()
	s, err := yaml.NewRNode(o.Spec).String()
	require.NoError(t, err)
	return s
}

func TestV2Objects(t *testing.T) {
	out := V2(v2Context(t, v2Cluster), v2APIRule(t, v2Full))
	require.Empty(t, out.Findings, "the settings checks run in fn/checks")

	type id struct{ kind, namespace, key, index string }
	var got []id
	for _, o := range out.Objects {
		got = append(got, id{o.Kind, o.Namespace, o.Key, o.Labels[object.LabelIndex]})
		assert.Equal(t, "httpbin", o.Labels[object.LabelAPIRuleName])
		assert.Equal(t, "demo", o.Labels[object.LabelAPIRuleNamespace])
	}
	issuer := []*apirule.JWTAuthentication{{Issuer: "https://issuer.example.com", JwksURI: "https://issuer.example.com/jwks"}}
	assert.Equal(t, []id{
		{"VirtualService", "demo", "virtualservice", ""},
		{"AuthorizationPolicy", "demo", "GET /headers allow/0", "0"},
		{"AuthorizationPolicy", "other-ns", "GET,POST /jwt/{*} allow/0", "0"},
		{"AuthorizationPolicy", "other-ns", "GET,POST /jwt/{*} allow/1", "1"},
		{"AuthorizationPolicy", "demo", "GET /ext/{**} custom:oauth2-proxy/0", "0"},
		{"AuthorizationPolicy", "demo", "GET /ext/{**} allow/1", "1"},
		{"AuthorizationPolicy", "demo", "DELETE,GET /* allow/0", "0"},
		{"RequestAuthentication", "other-ns", requestauthentication.Key("other-ns", map[string]string{"app": "other", "version": "v1"}, issuer), ""},
		{"RequestAuthentication", "demo", requestauthentication.Key("demo", map[string]string{"app": "httpbin"}, issuer), ""},
	}, got)
	assert.Equal(t, "networking.istio.io/v1", out.Objects[0].APIVersion)
	assert.Equal(t, "security.istio.io/v1", out.Objects[1].APIVersion)
}

func TestV2VirtualService(t *testing.T) {
	out := V2(v2Context(t, v2Cluster), v2APIRule(t, v2Full))
	require.NotEmpty(t, out.Objects)
	vs := yaml.NewRNode(out.Objects[0].Spec)
	assert.Equal(t, "- kyma-system/kyma-gateway\n", vs.Field("gateways").Value.MustString())
	assert.Equal(t, "- httpbin.local.kyma.dev\n", vs.Field("hosts").Value.MustString())
	var routes []string
	for _, r := range vs.Field("http").Value.Content() {
		routes = append(routes, yaml.NewRNode(r).MustString())
	}
	require.Len(t, routes, 4)
	assert.Equal(t, `corsPolicy:
  allowMethods:
  - GET
  allowOrigins:
  - exact: https://example.com
  maxAge: 600s
headers:
  request:
    set:
      Cookie: lang=en; user=u1
      X-Env: test
      x-forwarded-host: httpbin.local.kyma.dev
  response:
    remove:
    - Access-Control-Allow-Origin
    - Access-Control-Expose-Headers
    - Access-Control-Allow-Headers
    - Access-Control-Allow-Credentials
    - Access-Control-Allow-Methods
    - Access-Control-Max-Age
match:
- method:
    regex: ^(GET)$
  uri:
    regex: ^/headers$
route:
- destination:
    host: httpbin.demo.svc.cluster.local
    port:
      number: 8000
  weight: 100
timeout: 300s
`, routes[0])
	assert.Contains(t, routes[1], "regex: ^(POST|GET)$")
	assert.Contains(t, routes[1], "regex: ^/jwt/([A-Za-z0-9-._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$")
	assert.Contains(t, routes[1], "host: other.other-ns.svc.cluster.local")
	assert.Contains(t, routes[1], "timeout: 15s")
	assert.Contains(t, routes[3], "uri:\n    prefix: /\n")
}

func TestV2AuthorizationPolicies(t *testing.T) {
	out := V2(v2Context(t, v2Cluster), v2APIRule(t, v2Full))
	require.Len(t, out.Objects, 9)
	tests := []struct {
		name string
		obj  int
		want string
	}{
		{"jwt with scopes: one rule per scope claim", 2, `rules:
- from:
  - source:
      principals:
      - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
      requestPrincipals:
      - https://issuer.example.com/*
  to:
  - operation:
      hosts:
      - httpbin.local.kyma.dev
      methods:
      - POST
      - GET
      notPaths:
      - /headers
      paths:
      - /jwt/{*}
  when:
  - key: request.auth.claims[scp]
    values:
    - read
  - key: request.auth.claims[aud]
    values:
    - app
- from:
  - source:
      principals:
      - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
      requestPrincipals:
      - https://issuer.example.com/*
  to:
  - operation:
      hosts:
      - httpbin.local.kyma.dev
      methods:
      - POST
      - GET
      notPaths:
      - /headers
      paths:
      - /jwt/{*}
  when:
  - key: request.auth.claims[scope]
    values:
    - read
  - key: request.auth.claims[aud]
    values:
    - app
- from:
  - source:
      principals:
      - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
      requestPrincipals:
      - https://issuer.example.com/*
  to:
  - operation:
      hosts:
      - httpbin.local.kyma.dev
      methods:
      - POST
      - GET
      notPaths:
      - /headers
      paths:
      - /jwt/{*}
  when:
  - key: request.auth.claims[scopes]
    values:
    - read
  - key: request.auth.claims[aud]
    values:
    - app
selector:
  matchLabels:
    app: other
    version: v1
`},
		{"extAuth: CUSTOM policy with notPaths", 4, `action: CUSTOM
provider:
  name: oauth2-proxy
rules:
- to:
  - operation:
      hosts:
      - httpbin.local.kyma.dev
      methods:
      - GET
      notPaths:
      - /headers
      - /jwt/{*}
      paths:
      - /ext/{**}
selector:
  matchLabels:
    app: httpbin
`},
		{"catch-all: notPaths of every rule sharing a method", 6, `rules:
- from:
  - source:
      principals:
      - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
  to:
  - operation:
      hosts:
      - httpbin.local.kyma.dev
      methods:
      - GET
      - DELETE
      notPaths:
      - /headers
      - /jwt/{*}
      - /ext/{**}
      paths:
      - /{**}
selector:
  matchLabels:
    app: httpbin
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, v2SpecYAML(t, out.Objects[tt.obj]))
		})
	}
}

func TestV2RequestAuthentication(t *testing.T) {
	out := V2(v2Context(t, v2Cluster), v2APIRule(t, v2Full))
	require.Len(t, out.Objects, 9)
	assert.Equal(t, `jwtRules:
- forwardOriginalToken: true
  issuer: https://issuer.example.com
  jwksUri: https://issuer.example.com/jwks
selector:
  matchLabels:
    app: httpbin
`, v2SpecYAML(t, out.Objects[8]))
}

// v2Minimal is a valid APIRule; tests replace its placeholders.
const v2Minimal = `
apiVersion: gateway.kyma-project.io/VERSION
kind: APIRule
metadata: {name: minimal, namespace: demo}
spec:
  hosts: [HOST]
  gateway: GATEWAY
  service: {name: httpbin, port: 8000}
  rules:
RULES
`

func v2MinimalAPIRule(t *testing.T, version, host, gateway, rules string) *apirule.V2APIRule {
	t.Helper()
	doc := strings.NewReplacer("VERSION", version, "HOST", host, "GATEWAY", gateway, "RULES", rules).Replace(v2Minimal)
	return v2APIRule(t, doc)
}

func TestV2Findings(t *testing.T) {
	const jwtEmptyLists = `  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/k}]
      authorizations: []`
	tests := []struct {
		name                   string
		version, host, gateway string
		rules                  string
		want                   []Finding
		objects                int
	}{
		{
			name: "v2 drops empty authorizations like the conversion webhook", version: "v2",
			host: "a.example.com", gateway: "kyma-system/kyma-gateway", rules: jwtEmptyLists, objects: 3,
		},
		{
			name: "v2alpha1 keeps them and fails", version: "v2alpha1",
			host: "a.example.com", gateway: "kyma-system/kyma-gateway", rules: jwtEmptyLists,
			want: []Finding{{Error, "spec.rules[0].jwt.authorizations", "authorizations defined, but no configuration exists"}},
		},
		{
			name: "gateway discovery failure is reported alone", version: "v2",
			host: "a.example.com", gateway: "demo/missing", rules: "  - {path: '/{**}/{**}', methods: [GET], noAuth: true}",
			want: []Finding{{Error, "spec.gateway", `Could not get specified Gateway: Gateway demo/missing is neither in the input nor in gateways of the function config (known Gateways: kyma-system/kyma-gateway); add it to the input or set gateways["demo/missing"] (its domain)`}},
		},
		{
			name: "validation failures together", version: "v2",
			host: "a_b", gateway: "kyma-system/kyma-gateway", rules: "  - {path: '/{**}/{**}', methods: [GET], noAuth: true}",
			want: []Finding{
				{Error, "spec.rules[0].path", "Only one {**} operator is allowed in the path."},
				{Error, "spec.hosts[0]", "Host must be a valid FQDN or short host name"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := V2(v2Context(t, v2Cluster), v2MinimalAPIRule(t, tt.version, tt.host, tt.gateway, tt.rules))
			assert.Equal(t, tt.want, out.Findings)
			assert.Len(t, out.Objects, tt.objects)
		})
	}
}

func TestV2StoredFormLeavesInputAlone(t *testing.T) {
	ar := v2MinimalAPIRule(t, "v2", "a.example.com", "kyma-system/kyma-gateway", `  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/k}]
      authorizations: [{requiredScopes: [], audiences: [x]}]`)
	stored := v2StoredForm(ar)
	assert.Nil(t, stored.Spec.Rules[0].JWT.Authorizations[0].RequiredScopes)
	assert.Equal(t, []string{"x"}, stored.Spec.Rules[0].JWT.Authorizations[0].Audiences)
	assert.NotNil(t, ar.Spec.Rules[0].JWT.Authorizations[0].RequiredScopes)
}

func TestV2Assumptions(t *testing.T) {
	// No Gateway and no Service in the input: both are assumed, each reported once.
	ctx := v2Context(t, "")
	ar := v2MinimalAPIRule(t, "v2", "a.example.com", "kyma-system/kyma-gateway",
		"  - {path: /a, methods: [GET], noAuth: true}\n  - {path: /b, methods: [GET], noAuth: true}")
	out := V2(ctx, ar)
	assert.Empty(t, out.Findings, "assumptions are for the checks (AF701, AF702) to report")
	require.Len(t, out.Assumptions, 2)
	assert.Equal(t, "Gateway", out.Assumptions[0].Kind)
	assert.Contains(t, out.Assumptions[0].Message, "Gateway kyma-system/kyma-gateway is not in the input")
	assert.Equal(t, "Service", out.Assumptions[1].Kind)
	assert.Contains(t, out.Assumptions[1].Message, "Service demo/httpbin is not in the input")
	require.Len(t, out.Objects, 3)
	assert.Contains(t, v2SpecYAML(t, out.Objects[1]), "matchLabels:\n    app: httpbin\n")
}

// The controller's shadowing check misses "/a" after "/a/b", even twice, so two
// rules can share path and methods.
const v2ShadowGap = "  - {path: /a/b, methods: [GET], noAuth: true}\n  - {path: /a, methods: [GET], noAuth: true}\n"

func TestV2SamePoliciesCollapse(t *testing.T) {
	// Same namespace, selector and operation: the later policy replaces the earlier.
	ar := v2MinimalAPIRule(t, "v2alpha1", "a.example.com", "kyma-system/kyma-gateway", v2ShadowGap+`  - path: /a
    methods: [GET]
    jwt: {authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/k}], authorizations: [{audiences: [a]}]}`)
	out := V2(v2Context(t, v2Cluster), ar)
	require.Empty(t, out.Findings)
	var keys []string
	for _, o := range out.Objects {
		keys = append(keys, o.Key)
	}
	require.Len(t, keys, 4)
	assert.Equal(t, []string{"virtualservice", "GET /a/b allow/0", "GET /a allow/0"}, keys[:3])
	assert.Contains(t, v2SpecYAML(t, out.Objects[2]), "requestPrincipals:")
	assert.Equal(t, requestauthentication.Kind, out.Objects[3].Kind)
}

func TestV2KeysStayUnique(t *testing.T) {
	// Same path and methods but another Service in the same namespace: two policies
	// that the same rule-derived key would name alike.
	ar := v2MinimalAPIRule(t, "v2alpha1", "a.example.com", "kyma-system/kyma-gateway",
		v2ShadowGap+"  - {path: /a, methods: [GET], noAuth: true, service: {name: web, port: 80}}")
	out := V2(v2Context(t, v2Cluster+"---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: demo}\nspec: {selector: {app: web}}\n"), ar)
	require.Empty(t, out.Findings)
	var keys []string
	for _, o := range out.Objects {
		keys = append(keys, o.Key)
	}
	assert.Equal(t, []string{"virtualservice", "GET /a/b allow/0", "GET /a allow/0", "GET /a allow/0#2"}, keys)
}

func TestV2WildcardHost(t *testing.T) {
	ar := v2MinimalAPIRule(t, "v2", "'*.example.com'", "kyma-system/kyma-gateway", "  - {path: /, methods: [GET], noAuth: true}")
	out := V2(v2Context(t, v2Cluster), ar)
	require.Empty(t, out.Findings)
	vs := v2SpecYAML(t, out.Objects[0])
	assert.Contains(t, vs, "x-forwarded-host: '%REQ(:AUTHORITY)%'")
	assert.Contains(t, vs, "regex: ^/$")
	assert.Contains(t, v2SpecYAML(t, out.Objects[1]), "hosts:\n      - '*.example.com'\n")
}

func TestV2MalformedKymaGatewayFailsEveryAPIRule(t *testing.T) {
	second := "    port: {number: 443, protocol: HTTPS}\n  - hosts: ['*.other.dev']\n    port: {number: 8443, protocol: https}\n"
	ctx := v2Context(t, strings.Replace(v2Cluster, "    port: {number: 443, protocol: HTTPS}\n", second, 1))
	ar := v2MinimalAPIRule(t, "v2", "a.example.com", "kyma-system/kyma-gateway", "  - {path: /a, methods: [GET], noAuth: true}")
	out := V2(ctx, ar)
	require.Len(t, out.Findings, 1)
	assert.Equal(t, Error, out.Findings[0].Severity)
	assert.Contains(t, out.Findings[0].Message, "must have exactly one server with protocol HTTPS")
	assert.Empty(t, out.Objects)
}
