package processor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// istiodCluster is what the APIRules of TestIstiodRefusals render against.
const istiodCluster = `apiVersion: networking.istio.io/v1
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
metadata: {name: wild, namespace: demo}
spec: {selector: {app: '*'}}
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

// istiodV2 is a v2 APIRule demo/a; RULES replaces the rules, EXTRA adds spec fields.
const istiodV2 = `apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: a, namespace: demo}
spec:
  hosts: [HOST]
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
EXTRA  rules:
RULES`

// istiodV1beta1 is a v1beta1 APIRule demo/a under the handler the config selects.
const istiodV1beta1 = `apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: a, namespace: demo}
spec:
  host: a.local.kyma.dev
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
EXTRA  rules:
RULES`

type istiodCase struct {
	name string
	// apiRule is the template (istiodV2 or istiodV1beta1), host its v2 host.
	apiRule, host, extra, rules string
	config                      string
	// cluster replaces istiodCluster when set.
	cluster string
	// path and message are the expected error: its field and a part of its text.
	path, message string
}

func (c istiodCase) input() string {
	host := c.host
	if host == "" {
		host = "a.local.kyma.dev"
	}
	ar := strings.NewReplacer("HOST", host, "EXTRA", c.extra, "RULES", c.rules).Replace(c.apiRule)
	cluster := istiodCluster
	if c.cluster != "" {
		cluster = c.cluster
	}
	return resourceList(c.config, append(strings.Split(cluster, "---\n"), ar)...)
}

const (
	noAuthRule = "  - {path: /a, methods: [GET], noAuth: true}\n"
	istioCM    = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {jwtHandler: istio}\n"
)

// runIstiodCases renders each case and expects exactly one error, at the path, that
// contains the message.
func runIstiodCases(t *testing.T, cases []istiodCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, results := process(t, c.input())
			errs := errorsOf(results)
			if assert.Len(t, errs, 1, "errors: %v", errs) {
				assert.True(t, strings.HasPrefix(errs[0], c.path+": "), "path: want %s, got %s", c.path, errs[0])
				assert.Contains(t, errs[0], c.message)
			}
		})
	}
}

func TestIstiodRefusesHeaders(t *testing.T) {
	rule := func(request string) string {
		return "  - path: /a\n    methods: [GET]\n    noAuth: true\n    request: " + request + "\n"
	}
	mutator := func(config string) string {
		return `  - path: /a
    methods: [GET]
    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks}]}}]
    mutators: [{handler: header, config: ` + config + `}]
`
	}
	runIstiodCases(t, []istiodCase{
		{name: "lone percent", apiRule: istiodV2, rules: rule(`{headers: {X-A: "100%"}}`),
			path: "spec.rules[0].request.headers[X-A]", message: `header value "100%" is not a valid Envoy header format`},
		{name: "url encoding", apiRule: istiodV2, rules: rule(`{headers: {X-A: "a%20b"}}`),
			path: "spec.rules[0].request.headers[X-A]", message: "a variable is not terminated"},
		{name: "control character", apiRule: istiodV2, rules: rule(`{headers: {X-A: "a\u0001b"}}`),
			path: "spec.rules[0].request.headers[X-A]", message: "control character"},
		{name: "pseudo-header", apiRule: istiodV2, rules: rule(`{headers: {":path": /x}}`),
			path: "spec.rules[0].request.headers[:path]", message: "pseudo-header"},
		{name: "Host and :authority", apiRule: istiodV2, rules: rule(`{headers: {Host: a.example.com, ":authority": b.example.com}}`),
			path: "spec.rules[0].request.headers[:authority]", message: "set the request authority"},
		{name: "cookie", apiRule: istiodV2, rules: rule(`{cookies: {session: "50%"}}`),
			path: "spec.rules[0].request.cookies[session]", message: `"session=50%"`},
		{name: "v1beta1 header mutator", apiRule: istiodV1beta1, config: istioCM, rules: mutator(`{headers: {X-A: "%UNTERMINATED"}}`),
			path: "spec.rules[0].mutators[0].config.headers[X-A]", message: "a variable is not terminated"},
	})
}

func TestIstiodRefusesCORS(t *testing.T) {
	cors := func(policy string) string { return "  corsPolicy: " + policy + "\n" }
	runIstiodCases(t, []istiodCase{
		{name: "lower-case method", apiRule: istiodV2, rules: noAuthRule, extra: cors(`{allowOrigins: [{exact: https://x.example.com}], allowMethods: [get]}`),
			path: "spec.corsPolicy.allowMethods[0]", message: `"get" is not a method istiod accepts`},
		{name: "headers joined with commas", apiRule: istiodV2, rules: noAuthRule, extra: cors(`{allowOrigins: [{exact: https://x.example.com}], allowHeaders: ["X-A, X-B"]}`),
			path: "spec.corsPolicy.allowHeaders[0]", message: "list each header as its own entry"},
		{name: "expose header", apiRule: istiodV2, rules: noAuthRule, extra: cors(`{allowOrigins: [{exact: https://x.example.com}], exposeHeaders: ["X A"]}`),
			path: "spec.corsPolicy.exposeHeaders[0]", message: `"X A" is not an HTTP header name`},
		{name: "empty origin", apiRule: istiodV2, rules: noAuthRule, extra: cors(`{allowOrigins: [{exact: https://x.example.com}, {prefix: ""}]}`),
			path: "spec.corsPolicy.allowOrigins[1].prefix", message: "empty CORS origin"},
		{name: "long origin regex", apiRule: istiodV2, rules: noAuthRule, extra: cors(`{allowOrigins: [{regex: "` + strings.Repeat("a", 1025) + `"}]}`),
			path: "spec.corsPolicy.allowOrigins[0].regex", message: "1025 bytes long"},
		{name: "v1beta1 maxAge below a second", apiRule: istiodV1beta1, rules: "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n",
			extra: cors(`{allowOrigins: [{exact: https://x.example.com}], maxAge: 500ms}`),
			path:  "spec.corsPolicy.maxAge", message: "sub-second precision"},
		{name: "v1beta1 maxAge with sub-second part", apiRule: istiodV1beta1, rules: "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n",
			extra: cors(`{allowOrigins: [{exact: https://x.example.com}], maxAge: 1.5s}`),
			path:  "spec.corsPolicy.maxAge", message: "sub-second precision"},
	})
}

func TestIstiodRefusesHostsAndNames(t *testing.T) {
	v1beta1 := func(spec string) string {
		return strings.Replace(istiodV1beta1, "  host: a.local.kyma.dev\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n", spec, 1)
	}
	noAuth := "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n"
	long := strings.Repeat("a", 64)
	runIstiodCases(t, []istiodCase{
		{name: "underscore in a label", apiRule: v1beta1("  host: a_b.local.kyma.dev\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n"),
			rules: noAuth, path: "spec.host", message: `the label "a_b"`},
		{name: "label over 63 bytes", apiRule: v1beta1("  host: " + long + ".local.kyma.dev\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n"),
			rules: noAuth, path: "spec.host", message: "at most 63 bytes"},
		{name: "name over 255 bytes", apiRule: v1beta1("  host: " + strings.Repeat("abcdefgh.", 27) + "abcd.kyma.dev\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n"),
			rules: noAuth, path: "spec.host", message: "longer than 255"},
		{name: "all-numeric top-level domain", apiRule: v1beta1("  host: a.example.123\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n"),
			rules: noAuth, path: "spec.host", message: `all-numeric top-level domain "123"`},
		{name: "short host completed with a numeric domain", apiRule: v1beta1("  host: abc\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n"),
			config: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {defaultDomain: example.42}\n", rules: noAuth,
			path: "spec.host", message: `host "abc.example.42" has the all-numeric top-level domain`},
		{name: "v2 short host completed with a long Gateway domain", apiRule: strings.Replace(istiodV2, "kyma-system/kyma-gateway", "kyma-system/long", 1), host: "abc", rules: noAuthRule,
			config: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {gateways: '{kyma-system/long: " + strings.Repeat("abcdefgh.", 28) + "kyma.dev}'}\n",
			path:   "spec.hosts[0]", message: "longer than 255"},
		{name: "v1beta1 gateway name with underscore", apiRule: v1beta1("  host: a.local.kyma.dev\n  gateway: kyma-system/kyma_gateway\n  service: {name: httpbin, port: 8000}\n"),
			rules: noAuth, path: "spec.gateway", message: `the name "kyma_gateway" is not a DNS label`},
		{name: "v1beta1 destination Service", apiRule: v1beta1("  host: a.local.kyma.dev\n  gateway: kyma-system/kyma-gateway\n  service: {name: http_bin, port: 8000}\n"),
			rules: noAuth, path: "spec.service", message: `host "http_bin.demo.svc.cluster.local" has the label "http_bin"`},
	})
}

func TestIstiodRefusesPaths(t *testing.T) {
	jwtRule := func(path string) string {
		return "  - path: '" + path + "'\n    methods: [GET]\n    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks}]}}]\n"
	}
	runIstiodCases(t, []istiodCase{
		{name: "v1beta1 Istio handler path with braces", apiRule: istiodV1beta1, config: istioCM, rules: jwtRule("/users/{id}"),
			path: "spec.rules[0].path", message: `AuthorizationPolicy path "/users/{id}" contains '{' or '}'`},
		{name: "v1beta1 Istio handler regex quantifier", apiRule: istiodV1beta1, config: istioCM, rules: jwtRule("/v[0-9]{1,2}/.*"),
			path: "spec.rules[0].path", message: "outside the templates"},
		{name: "empty segment next to a template", apiRule: istiodV2, rules: "  - {path: '/api//{*}', methods: [GET], noAuth: true}\n",
			path: "spec.rules[0].path", message: "has a template and an empty segment"},
		{name: "v2 route regex over 1024 bytes once the templates are translated", apiRule: istiodV2,
			rules: "  - {path: '" + strings.Repeat("/{*}", 25) + "', methods: [GET], noAuth: true}\n",
			path:  "spec.rules[0].path", message: "longer than 1024 bytes"},
		{name: "route regex over 1024 bytes", apiRule: istiodV1beta1, rules: "  - {path: '/" + strings.Repeat("a", 1030) + "', methods: [GET], accessStrategies: [{handler: noop}]}\n",
			path: "spec.rules[0].path", message: "longer than 1024 bytes"},
	})
}

func TestIstiodRefusesRequestAuthentications(t *testing.T) {
	jwt := func(auth string) string {
		return "  - path: /a\n    methods: [GET]\n    jwt: {authentications: [" + auth + "]}\n"
	}
	runIstiodCases(t, []istiodCase{
		{name: "javascript jwksUri", apiRule: istiodV2, rules: jwt(`{issuer: https://i.example.com, jwksUri: "javascript:alert(1)"}`),
			path: "spec.rules[0].jwt.authentications[0].jwksUri", message: `has the scheme "javascript"`},
		{name: "file jwksUri", apiRule: istiodV2, rules: jwt(`{issuer: https://i.example.com, jwksUri: "file:///etc/jwks.json"}`),
			path: "spec.rules[0].jwt.authentications[0].jwksUri", message: `has the scheme "file"`},
		{name: "bare path jwksUri", apiRule: istiodV2, rules: jwt(`{issuer: https://i.example.com, jwksUri: /jwks.json}`),
			path: "spec.rules[0].jwt.authentications[0].jwksUri", message: `has the scheme ""`},
		{name: "empty fromHeaders name", apiRule: istiodV2, rules: jwt(`{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks, fromHeaders: [{name: ""}]}`),
			path: "spec.rules[0].jwt.authentications[0].fromHeaders[0].name", message: "fromHeaders name is empty"},
		{name: "empty fromParams", apiRule: istiodV2, rules: jwt(`{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks, fromParams: [""]}`),
			path: "spec.rules[0].jwt.authentications[0].fromParams[0]", message: "fromParams entry is empty"},
		{name: "v1beta1 Istio handler jwksUri", apiRule: istiodV1beta1, config: istioCM,
			rules: "  - path: /a\n    methods: [GET]\n    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: https://i.example.com, jwksUri: 'file:/x'}]}}]\n",
			path:  "spec.rules[0].accessStrategies[0].config.authentications[0].jwksUri", message: `has the scheme "file"`},
	})
}

func TestIstiodRefusesAuthorizationPolicies(t *testing.T) {
	runIstiodCases(t, []istiodCase{
		{name: "wildcard selector of an input Service", apiRule: istiodV2, rules: "  - {path: /a, methods: [GET], noAuth: true, service: {name: wild, port: 80}}\n",
			path: "spec.rules[0].service", message: `the Service demo/wild in the input: the workload selector has the label "app=*"`},
		{name: "wildcard selector in serviceSelectors", apiRule: istiodV2, rules: noAuthRule,
			config: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {serviceSelectors: '{demo/other: {\"app*\": x}}'}\n",
			path:   "data.serviceSelectors.demo/other", message: `the workload selector has the label "app*=x"`},
		{name: "extAuth with an empty provider", apiRule: istiodV2, rules: "  - {path: /a, methods: [GET], extAuth: {authorizers: [\"\"]}}\n",
			cluster: strings.Replace(istiodCluster, "name: oauth2-proxy", `name: ""`, 1),
			path:    "spec.rules[0].extAuth.authorizers[0]", message: "without a provider name"},
	})
}

// TestIstiodAcceptsNearMisses: values next to the refused ones that istiod accepts
// render without errors.
func TestIstiodAcceptsNearMisses(t *testing.T) {
	rule := func(request string) string {
		return "  - path: /a\n    methods: [GET]\n    noAuth: true\n    request: " + request + "\n"
	}
	cases := []istiodCase{
		{name: "Envoy variables and escaped percent", apiRule: istiodV2,
			rules: rule(`{headers: {X-A: "%REQ(:AUTHORITY)%", X-B: "100%%", X-C: "%START_TIME(%s)% t"}, cookies: {a: "%%"}}`)},
		{name: "Host alone", apiRule: istiodV2, rules: rule(`{headers: {Host: b.example.com}}`)},
		{name: "CORS wildcards and upper-case methods", apiRule: istiodV2, rules: noAuthRule,
			extra: "  corsPolicy: {allowOrigins: [{regex: '.*'}], allowMethods: ['*', GET, OPTIONS], allowHeaders: ['*', X-Custom_1], exposeHeaders: [X-A]}\n"},
		{name: "v1beta1 CORS without an origin is not written", apiRule: istiodV1beta1,
			rules: "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n",
			extra: "  corsPolicy: {allowOrigins: [{}], allowMethods: [get], maxAge: 500ms}\n"},
		{name: "v1beta1 maxAge in whole seconds", apiRule: istiodV1beta1,
			rules: "  - {path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}\n",
			extra: "  corsPolicy: {allowOrigins: [{exact: https://x.example.com}], maxAge: 1m30s}\n"},
		{name: "v1beta1 Istio handler templates", apiRule: istiodV1beta1, config: istioCM,
			rules: "  - path: '/api/{*}'\n    methods: [GET]\n    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: https://i.example.com, jwksUri: http://i.example.com/jwks}]}}]\n"},
		{name: "v1beta1 legacy gateway spelling", apiRule: strings.Replace(istiodV1beta1, "gateway: kyma-system/kyma-gateway", "gateway: kyma-gateway.kyma-system.svc.cluster.local", 1),
			rules: "  - {path: /a, methods: [GET], accessStrategies: [{handler: noop}]}\n"},
		{name: "a token location the controller drops with its RequestAuthentication", apiRule: istiodV2,
			rules: "  - {path: /a, methods: [GET], extAuth: {authorizers: [oauth2-proxy], restrictions: {authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks}]}}}\n" +
				"  - {path: /b, methods: [GET], jwt: {authentications: [{issuer: https://i.example.com, jwksUri: https://i.example.com/jwks, fromParams: [\"\"]}]}}\n"},
		{name: "CORS header names joined without a space", apiRule: istiodV2, rules: noAuthRule,
			extra: "  corsPolicy: {allowOrigins: [{exact: https://x.example.com}], allowHeaders: ['X-A,X-B']}\n"},
		{name: "Oathkeeper pattern with balanced delimiters", apiRule: istiodV1beta1,
			rules: "  - {path: '/a<b>c', methods: [GET], accessStrategies: [{handler: noop}]}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, results := process(t, c.input())
			assert.Empty(t, errorsOf(results))
		})
	}
}
