package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/internal/clustertest"
	"github.com/apirule-krm/apirule-fn/fn/kinds/authorizationpolicy"
	"github.com/apirule-krm/apirule-fn/fn/kinds/oathkeeperrule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// v1beta1Context builds a render context from cluster items and a config.
func v1beta1Context(t *testing.T, items string, cfg config.Config) *Context {
	c, v := clustertest.View(t, items, cfg)
	return NewContext(c, v)
}

// v1beta1APIRule parses the spec of a v1beta1 APIRule demo/httpbin.
func v1beta1APIRule(t *testing.T, spec string) *apirule.V1beta1APIRule {
	t.Helper()
	doc := "apiVersion: gateway.kyma-project.io/v1beta1\nkind: APIRule\nmetadata: {name: httpbin, namespace: demo}\nspec:\n  " +
		strings.ReplaceAll(strings.TrimSpace(spec), "\n", "\n  ")
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &obj))
	var ar apirule.V1beta1APIRule
	require.NoError(t, apirule.Decode(obj, &ar))
	return &ar
}

// plain decodes YAML (one document, or the list of several) for comparisons.
func v1beta1Plain(t *testing.T, s string) any {
	t.Helper()
	var docs []any
	for _, d := range strings.Split(s, "\n---\n") {
		var v any
		require.NoError(t, yaml.Unmarshal([]byte(d), &v))
		docs = append(docs, v)
	}
	if len(docs) == 1 {
		return docs[0]
	}
	return docs
}

// summary is an object's kind, namespace, index label and spec as plain values.
func v1beta1Summary(t *testing.T, o *object.Object) map[string]any {
	t.Helper()
	var spec any
	require.NoError(t, o.Spec.Decode(&spec))
	m := map[string]any{"kind": o.Kind, "namespace": o.Namespace, "spec": spec}
	if idx, ok := o.Labels[object.LabelIndex]; ok {
		m["index"] = idx
	}
	return m
}

func v1beta1Summaries(t *testing.T, objs []*object.Object) []any {
	t.Helper()
	var out []any
	for _, o := range objs {
		out = append(out, v1beta1Summary(t, o))
	}
	return out
}

func v1beta1Kinds(objs []*object.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Kind)
	}
	return out
}

func v1beta1Errors(out Output) []Finding {
	var fs []Finding
	for _, f := range out.Findings {
		if f.Severity == Error {
			fs = append(fs, f)
		}
	}
	return fs
}

// v1beta1Warnings are the warnings.
func v1beta1Warnings(out Output) []Finding {
	var fs []Finding
	for _, f := range out.Findings {
		if f.Severity == Warning {
			fs = append(fs, f)
		}
	}
	return fs
}

const (
	v1beta1KymaGateway = `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - {hosts: ['*.local.kyma.dev'], port: {number: 443, name: https, protocol: HTTPS}}
  - {hosts: ['*.local.kyma.dev'], port: {number: 80, name: http, protocol: HTTP}}
`
	v1beta1HttpbinService = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: demo}
spec: {selector: {app: httpbin}}
`
	v1beta1HandlerConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: api-gateway-config, namespace: kyma-system}
data: {api-gateway-config: "jwtHandler: %s"}
`
)

func TestV1beta1HandlerSelection(t *testing.T) {
	const spec = `host: httpbin.example.com
gateway: kyma-system/kyma-gateway
service: {name: httpbin, port: 8000}
rules: [{path: /headers, methods: [GET], accessStrategies: [{handler: no_auth}]}]`
	cm := func(v string) string { return strings.Replace(v1beta1HandlerConfigMap, "%s", v, 1) }
	tests := []struct {
		name      string
		items     string
		handler   string
		wantKinds []string
		wantFail  []Finding
	}{
		{name: "default is ory", wantKinds: []string{virtualservice.Kind}},
		{name: "config value", handler: "istio", wantKinds: []string{virtualservice.Kind, authorizationpolicy.Kind}},
		{name: "ConfigMap value", items: cm("istio"), wantKinds: []string{virtualservice.Kind, authorizationpolicy.Kind}},
		{name: "config value wins over the ConfigMap", items: cm("istio"), handler: "ory", wantKinds: []string{virtualservice.Kind}},
		{name: "invalid ConfigMap value", items: cm("oathkeeper"), wantFail: []Finding{{Severity: Error, Message: "Unsupported JWT Handler: oathkeeper"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := V1beta1(v1beta1Context(t, v1beta1HttpbinService+"---\n"+tt.items, config.Config{JWTHandler: tt.handler}), v1beta1APIRule(t, spec))
			assert.Equal(t, tt.wantFail, v1beta1Errors(out))
			assert.Equal(t, tt.wantKinds, v1beta1Kinds(out.Objects))
		})
	}
}

func TestV1beta1DefaultDomain(t *testing.T) {
	const spec = `host: httpbin
gateway: kyma-system/kyma-gateway
service: {name: httpbin, port: 8000}
rules: [{path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}]`
	malformed := strings.Replace(v1beta1KymaGateway, "protocol: HTTP}", "protocol: https}", 1)
	tests := []struct {
		name, items, domain string
		wantHost            string
		wantFail            []Finding
	}{
		{name: "config defaultDomain", domain: "cfg.example.com", items: v1beta1KymaGateway, wantHost: "httpbin.cfg.example.com"},
		{name: "kyma-gateway in the input", items: v1beta1KymaGateway, wantHost: "httpbin.local.kyma.dev"},
		{name: "none", wantFail: []Finding{{Severity: Error, Path: "spec.host", Message: "Host does not contain a domain name and no default domain name is configured: write the full host, or set defaultDomain (or gateways[\"kyma-system/kyma-gateway\"]: <domain>) in the function config, or add the Gateway kyma-system/kyma-gateway to the input"}}},
		{name: "malformed kyma-gateway", items: malformed, wantFail: []Finding{{Severity: Error,
			Message: "Gateway kyma-system/kyma-gateway must have exactly one server with protocol HTTPS to provide the default domain, found 2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := V1beta1(v1beta1Context(t, tt.items, config.Config{DefaultDomain: tt.domain}), v1beta1APIRule(t, spec))
			require.Equal(t, tt.wantFail, v1beta1Errors(out))
			if tt.wantHost == "" {
				assert.Empty(t, out.Objects)
				return
			}
			vs := v1beta1Summary(t, out.Objects[0])["spec"].(map[string]any)
			assert.Equal(t, []any{tt.wantHost}, vs["hosts"])
			route := vs["http"].([]any)[0].(map[string]any)
			assert.Equal(t, map[string]any{"request": map[string]any{"set": map[string]any{"x-forwarded-host": tt.wantHost}}, "response": map[string]any{}}, route["headers"])
		})
	}
}

func TestV1beta1SamePathQuirk(t *testing.T) {
	const spec = `host: httpbin.example.com
gateway: kyma-system/kyma-gateway
service: {name: httpbin, port: 8000}
rules:
- {path: /img, methods: [GET], accessStrategies: [{handler: no_auth}]}
- {path: /img, methods: [POST], accessStrategies: [{handler: noop}]}`
	out := V1beta1(v1beta1Context(t, "", config.Config{}), v1beta1APIRule(t, spec))
	require.Empty(t, v1beta1Errors(out))
	require.Equal(t, []string{virtualservice.Kind, oathkeeperrule.Kind}, v1beta1Kinds(out.Objects))

	http := v1beta1Summary(t, out.Objects[0])["spec"].(map[string]any)["http"].([]any)
	require.Len(t, http, 1, "only the first rule of a path is routed")
	route := http[0].(map[string]any)
	assert.Equal(t, v1beta1Plain(t, "[{method: {regex: ^(GET)$}, uri: {regex: /img}}]"), route["match"])
	assert.Equal(t, v1beta1Plain(t, "[{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}, weight: 100}]"), route["route"])

	rule := out.Objects[1]
	assert.Equal(t, "<http|https>://httpbin.example.com</img>:[POST]", rule.Key)
	assert.Equal(t, v1beta1Plain(t, `authenticators: [{handler: noop}]
authorizer: {handler: allow}
match: {methods: [POST], url: '<http|https>://httpbin.example.com</img>'}
upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}`), v1beta1Summary(t, rule)["spec"])
	assert.Empty(t, v1beta1Warnings(out), "the checks (fn/checks, AF305) report the unrouted rule")
}

func TestV1beta1OryObjects(t *testing.T) {
	const spec = `host: httpbin
gateway: kyma-gateway.kyma-system.svc.cluster.local
service: {name: httpbin, port: 8000}
rules:
- {path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}
- path: /headers
  methods: [GET, POST]
  accessStrategies: [{handler: noop}]
  mutators: [{handler: header, config: {headers: {X-Custom: value}}}]
- path: /jwt
  methods: [GET]
  timeout: 15
  accessStrategies: [{handler: jwt, config: {trusted_issuers: ['https://issuer.example.com'], required_scope: [read]}}]
- path: /oauth
  methods: [DELETE]
  service: {name: other, namespace: other-ns, port: 9000}
  accessStrategies: [{handler: oauth2_introspection, config: {required_scope: [write]}}]
- {path: /open, methods: [PUT, PATCH], accessStrategies: [{handler: no_auth}]}`
	out := V1beta1(v1beta1Context(t, v1beta1KymaGateway, config.Config{}), v1beta1APIRule(t, spec))
	require.Empty(t, v1beta1Errors(out))
	require.Empty(t, v1beta1Warnings(out))
	cors := "{allowHeaders: [Authorization, Content-Type, '*'], allowMethods: [GET, POST, PUT, DELETE, PATCH], allowOrigins: [{regex: .*}]}"
	headers := "{request: {set: {x-forwarded-host: httpbin.local.kyma.dev}}, response: {}}"
	oathkeeper := "[{destination: {host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local, port: {number: 4455}}, weight: 100}]"
	want := `kind: VirtualService
namespace: demo
spec:
  gateways: [kyma-gateway.kyma-system.svc.cluster.local]
  hosts: [httpbin.local.kyma.dev]
  http:
  - {corsPolicy: CORS, headers: HEADERS, match: [{uri: {regex: /.*}}], timeout: 180s,
     route: [{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}, weight: 100}]}
  - {corsPolicy: CORS, headers: HEADERS, match: [{uri: {regex: /headers}}], route: OATHKEEPER, timeout: 180s}
  - {corsPolicy: CORS, headers: HEADERS, match: [{uri: {regex: /jwt}}], route: OATHKEEPER, timeout: 15s}
  - {corsPolicy: CORS, headers: HEADERS, match: [{uri: {regex: /oauth}}], route: OATHKEEPER, timeout: 180s}
  - {corsPolicy: CORS, headers: HEADERS, match: [{method: {regex: ^(PUT|PATCH)$}, uri: {regex: /open}}], timeout: 180s,
     route: [{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}, weight: 100}]}
---
kind: Rule
namespace: demo
spec:
  authenticators: [{handler: noop}]
  authorizer: {handler: allow}
  match: {methods: [GET, POST], url: '<http|https>://httpbin.local.kyma.dev</headers>'}
  mutators: [{handler: header, config: {headers: {X-Custom: value}}}]
  upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}
---
kind: Rule
namespace: demo
spec:
  authenticators: [{handler: jwt, config: {trusted_issuers: ['https://issuer.example.com'], required_scope: [read]}}]
  authorizer: {handler: allow}
  match: {methods: [GET], url: '<http|https>://httpbin.local.kyma.dev</jwt>'}
  upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}
---
kind: Rule
namespace: demo
spec:
  authenticators: [{handler: oauth2_introspection, config: {required_scope: [write]}}]
  authorizer: {handler: allow}
  match: {methods: [DELETE], url: '<http|https>://httpbin.local.kyma.dev</oauth>'}
  upstream: {url: 'http://other.other-ns.svc.cluster.local:9000'}`
	want = strings.NewReplacer("CORS", cors, "HEADERS", headers, "OATHKEEPER", oathkeeper).Replace(want)
	assert.Equal(t, v1beta1Plain(t, want), v1beta1Summaries(t, out.Objects))
}

func TestV1beta1IstioObjects(t *testing.T) {
	const spec = `host: httpbin.example.com
gateway: kyma-system/kyma-gateway
service: {name: httpbin, port: 8000}
corsPolicy: {allowOrigins: [{exact: 'https://a.example.com'}], allowMethods: [GET], maxAge: 10m, allowCredentials: true}
timeout: 60
rules:
- {path: /*, methods: [GET], accessStrategies: [{handler: allow}]}
- path: /jwt
  methods: [GET, POST]
  timeout: 5
  accessStrategies:
  - handler: jwt
    config:
      authentications: [{issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks', fromParams: [token]}]
      authorizations: [{requiredScopes: [read], audiences: [aud1]}, {audiences: [aud2]}]
  mutators:
  - {handler: cookie, config: {cookies: {c2: v2, c1: v1}}}
  - {handler: header, config: {headers: {X-Foo: bar}}}
- {path: /noop, methods: [GET], accessStrategies: [{handler: noop}], mutators: [{handler: id_token}]}
- {path: /.*, methods: [GET, DELETE], accessStrategies: [{handler: no_auth}]}`
	out := V1beta1(v1beta1Context(t, v1beta1HttpbinService, config.Config{JWTHandler: config.HandlerIstio}), v1beta1APIRule(t, spec))
	require.Empty(t, v1beta1Errors(out))
	require.Empty(t, v1beta1Warnings(out), "the checks (fn/checks, AF301) report the opened jwt path")
	cors := "{allowCredentials: true, allowMethods: [GET], allowOrigins: [{exact: 'https://a.example.com'}], maxAge: 600s}"
	removal := "[Access-Control-Allow-Origin, Access-Control-Expose-Headers, Access-Control-Allow-Headers, Access-Control-Allow-Credentials, Access-Control-Allow-Methods, Access-Control-Max-Age]"
	service := "[{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}, weight: 100}]"
	ingress := "[{source: {principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]"
	jwtFrom := "[{source: {requestPrincipals: ['https://issuer.example.com/*']}}]"
	jwtTo := "[{operation: {methods: [GET, POST], paths: [/jwt]}}]"
	want := `kind: VirtualService
namespace: demo
spec:
  gateways: [kyma-system/kyma-gateway]
  hosts: [httpbin.example.com]
  http:
  - {corsPolicy: CORS, headers: {request: {set: {x-forwarded-host: httpbin.example.com}}, response: {remove: REMOVAL}},
     match: [{uri: {prefix: /}}], route: SERVICE, timeout: 60s}
  - corsPolicy: CORS
    headers: {request: {set: {Cookie: c1=v1; c2=v2, X-Foo: bar, x-forwarded-host: httpbin.example.com}}, response: {remove: REMOVAL}}
    match: [{method: {regex: ^(GET|POST)$}, uri: {regex: /jwt}}]
    route: SERVICE
    timeout: 5s
  - {corsPolicy: CORS, headers: {request: {set: {x-forwarded-host: httpbin.example.com}}, response: {remove: REMOVAL}},
     match: [{method: {regex: ^(GET)$}, uri: {regex: /noop}}], timeout: 60s,
     route: [{destination: {host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local, port: {number: 4455}}, weight: 100}]}
  - {corsPolicy: CORS, headers: {request: {set: {x-forwarded-host: httpbin.example.com}}, response: {remove: REMOVAL}},
     match: [{method: {regex: ^(GET|DELETE)$}, uri: {regex: /.*}}], route: SERVICE, timeout: 60s}
---
kind: AuthorizationPolicy
namespace: demo
index: "0"
spec:
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: INGRESS, to: [{operation: {methods: [GET], paths: [/*]}}]}]
---
kind: AuthorizationPolicy
namespace: demo
index: "0"
spec:
  selector: {matchLabels: {app: httpbin}}
  rules:
  - {from: JWTFROM, to: JWTTO, when: [{key: 'request.auth.claims[scp]', values: [read]}, {key: 'request.auth.claims[aud]', values: [aud1]}]}
  - {from: JWTFROM, to: JWTTO, when: [{key: 'request.auth.claims[scope]', values: [read]}, {key: 'request.auth.claims[aud]', values: [aud1]}]}
  - {from: JWTFROM, to: JWTTO, when: [{key: 'request.auth.claims[scopes]', values: [read]}, {key: 'request.auth.claims[aud]', values: [aud1]}]}
---
kind: AuthorizationPolicy
namespace: demo
index: "1"
spec:
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: JWTFROM, to: JWTTO, when: [{key: 'request.auth.claims[aud]', values: [aud2]}]}]
---
kind: AuthorizationPolicy
namespace: demo
index: "0"
spec:
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: [{source: {principals: [cluster.local/ns/kyma-system/sa/oathkeeper-maester-account]}}], to: [{operation: {methods: [GET], paths: [/noop]}}]}]
---
kind: AuthorizationPolicy
namespace: demo
index: "0"
spec:
  selector: {matchLabels: {app: httpbin}}
  rules: [{from: INGRESS, to: [{operation: {methods: [GET, DELETE], paths: [/*]}}]}]
---
kind: RequestAuthentication
namespace: demo
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks', forwardOriginalToken: true, fromParams: [token]}]
---
kind: Rule
namespace: demo
spec:
  authenticators: [{handler: noop}]
  authorizer: {handler: allow}
  match: {methods: [GET], url: '<http|https>://httpbin.example.com</noop>'}
  mutators: [{handler: id_token}]
  upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}`
	want = strings.NewReplacer("CORS", cors, "REMOVAL", removal, "SERVICE", service, "INGRESS", ingress,
		"JWTFROM", jwtFrom, "JWTTO", jwtTo).Replace(want)
	assert.Equal(t, v1beta1Plain(t, want), v1beta1Summaries(t, out.Objects))
}

func TestV1beta1IstioServiceLookups(t *testing.T) {
	const bare = `apiVersion: v1
kind: Service
metadata: {name: bare, namespace: demo}
spec: {ports: [{port: 80}]}
`
	jwt := "{handler: jwt, config: {authentications: [{issuer: 'https://i', jwksUri: 'https://i/jwks'}]}}"
	tests := []struct {
		name, spec string
		wantFail   []Finding
		wantKinds  []string
	}{
		{
			name:     "a missing Service is a processing error without objects",
			spec:     "rules: [{path: /a, methods: [GET], service: {name: ghost, port: 80}, accessStrategies: [{handler: no_auth}]}]",
			wantFail: []Finding{{Severity: Error, Message: `services "ghost" not found: add the Service demo/ghost to the input or set serviceSelectors["demo/ghost"] in the function config`}},
		},
		{
			name:     "RequestAuthentications are looked up first",
			spec:     "rules: [{path: /a, methods: [GET], service: {name: ghost, port: 80}, accessStrategies: [{handler: no_auth}]}, {path: /b, methods: [GET], service: {name: phantom, port: 80}, accessStrategies: [" + jwt + "]}]",
			wantFail: []Finding{{Severity: Error, Message: `services "phantom" not found: add the Service demo/phantom to the input or set serviceSelectors["demo/phantom"] in the function config`}},
		},
		{
			name:      "a Service without selector gives a namespace-wide policy",
			spec:      "rules: [{path: /a, methods: [GET], service: {name: bare, port: 80}, accessStrategies: [{handler: no_auth}]}]",
			wantKinds: []string{virtualservice.Kind, authorizationpolicy.Kind},
		},
		{
			name:      "identical RequestAuthentications merge",
			spec:      "service: {name: httpbin, port: 80}\nrules: [{path: /a, methods: [GET], accessStrategies: [" + jwt + "]}, {path: /b, methods: [GET], accessStrategies: [" + jwt + "]}]",
			wantKinds: []string{virtualservice.Kind, authorizationpolicy.Kind, authorizationpolicy.Kind, requestauthentication.Kind},
		},
		{
			name:      "policies with the same selector, methods and path collapse, the later one wins",
			spec:      "service: {name: httpbin, port: 80}\nrules: [{path: /.*, methods: [GET], accessStrategies: [" + jwt + "]}, {path: /*, methods: [GET], accessStrategies: [{handler: no_auth}]}]",
			wantKinds: []string{virtualservice.Kind, authorizationpolicy.Kind, requestauthentication.Kind},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := "host: httpbin.example.com\ngateway: kyma-system/kyma-gateway\n" + tt.spec
			out := V1beta1(v1beta1Context(t, v1beta1HttpbinService+"---\n"+bare, config.Config{JWTHandler: config.HandlerIstio}), v1beta1APIRule(t, spec))
			assert.Equal(t, tt.wantFail, v1beta1Errors(out))
			assert.Equal(t, tt.wantKinds, v1beta1Kinds(out.Objects))
		})
	}
	t.Run("the later policy wins", func(t *testing.T) {
		spec := "host: httpbin.example.com\ngateway: g\nservice: {name: httpbin, port: 80}\nrules: [{path: /.*, methods: [GET], accessStrategies: [" + jwt + "]}, {path: /*, methods: [GET], accessStrategies: [{handler: no_auth}]}]"
		out := V1beta1(v1beta1Context(t, v1beta1HttpbinService, config.Config{JWTHandler: config.HandlerIstio}), v1beta1APIRule(t, spec))
		ap := v1beta1Summary(t, out.Objects[1])["spec"].(map[string]any)
		assert.Equal(t, v1beta1Plain(t, "[{from: [{source: {principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}], to: [{operation: {methods: [GET], paths: [/*]}}]}]"), ap["rules"])
	})
	t.Run("an assumed Service is reported once", func(t *testing.T) {
		spec := "host: httpbin.example.com\ngateway: g\nservice: {name: httpbin, port: 80}\nrules: [{path: /a, methods: [GET], accessStrategies: [" + jwt + "]}]"
		out := V1beta1(v1beta1Context(t, "", config.Config{JWTHandler: config.HandlerIstio}), v1beta1APIRule(t, spec))
		var assumed []string
		for _, a := range out.Assumptions {
			if strings.Contains(a.Message, "Service demo/httpbin is not in the input; assumed") {
				assumed = append(assumed, a.Message)
			}
		}
		assert.Len(t, assumed, 1)
		assert.Equal(t, []string{virtualservice.Kind, authorizationpolicy.Kind, requestauthentication.Kind}, v1beta1Kinds(out.Objects))
	})
}

func TestV1beta1CorsMaxAgeMustBeAGoDuration(t *testing.T) {
	spec := "host: httpbin.example.com\ngateway: g\nservice: {name: httpbin, port: 80}\ncorsPolicy: {allowOrigins: [{regex: .*}], maxAge: 10 minutes}\nrules: [{path: /a, methods: [GET], accessStrategies: [{handler: allow}]}]"
	out := V1beta1(v1beta1Context(t, "", config.Config{}), v1beta1APIRule(t, spec))
	require.Len(t, v1beta1Errors(out), 1)
	assert.Equal(t, "spec.corsPolicy.maxAge", v1beta1Errors(out)[0].Path)
	assert.Empty(t, out.Objects)
}

func TestV1beta1ValidationFailuresGiveNoObjects(t *testing.T) {
	spec := "host: httpbin.example.com\ngateway: g\nrules: [{path: /a, methods: [GET], accessStrategies: [{handler: allow}]}]"
	out := V1beta1(v1beta1Context(t, "", config.Config{}), v1beta1APIRule(t, spec))
	assert.Equal(t, []Finding{{Severity: Error, Path: "spec.rules[0].service", Message: "No service defined with no main service on spec level"}}, out.Findings)
	assert.Empty(t, out.Objects)
}
