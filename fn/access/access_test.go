package access_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/processor"
)

// meshOf builds a Mesh from a YAML stream of objects.
func meshOf(t *testing.T, stream string) *access.Mesh {
	t.Helper()
	items, err := (&kio.ByteReader{Reader: strings.NewReader(stream), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	m := access.New()
	require.NoError(t, m.AddNodes(items))
	return m
}

// rendered runs the function over a YAML stream and builds a Mesh from its output.
func rendered(t *testing.T, stream string) *access.Mesh {
	t.Helper()
	items, err := (&kio.ByteReader{Reader: strings.NewReader(stream), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	rl := &framework.ResourceList{Items: items}
	require.NoError(t, (&processor.Processor{}).Process(rl))
	m := access.New()
	require.NoError(t, m.AddNodes(rl.Items))
	return m
}

func tok(issuer string, scopes, audiences []string) *access.Token {
	return &access.Token{Issuer: issuer, Scopes: scopes, Audiences: audiences}
}

type want struct {
	outcome       access.Outcome
	service       string
	oathkeeper    bool
	tokenRequired bool
	requirements  string
}

func check(t *testing.T, m *access.Mesh, req access.Request, w want) {
	t.Helper()
	d := m.Evaluate(req)
	assert.Equal(t, w.outcome, d.Outcome, "%s: %s", req, d.Reason)
	if w.service != "" {
		assert.Equal(t, w.service, d.Service, "%s", req)
	}
	assert.Equal(t, w.oathkeeper, d.ViaOathkeeper, "%s: via Oathkeeper", req)
	assert.Equal(t, w.tokenRequired, d.TokenRequired, "%s: token required (%v)", req, d.Requirements)
	if w.requirements != "" {
		var got []string
		for _, r := range d.Requirements {
			got = append(got, r.String())
		}
		assert.Equal(t, w.requirements, strings.Join(got, " or "), "%s", req)
	}
}

const issuer = "https://issuer.example.org"

// v2Objects is what a v2 APIRule with a jwt rule on /api/{**} (scope read,
// audience orders), a noAuth rule on /health and a noAuth catch-all /* for GET
// renders into (abridged to what decisions read).
const v2Objects = `
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {selector: {app: orders}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders-vs, namespace: shop}
spec:
  hosts: [orders.example.org]
  http:
  - match: [{method: {regex: ^(GET|POST)$}, uri: {regex: '^/api/([A-Za-z0-9-._~!$&''()*+,;=:@/]|%[0-9a-fA-F]{2})*$'}}]
    route: [{destination: {host: orders.shop.svc.cluster.local, port: {number: 8080}}}]
  - match: [{method: {regex: ^(GET)$}, uri: {regex: ^/health$}}]
    route: [{destination: {host: orders.shop.svc.cluster.local, port: {number: 8080}}}]
  - match: [{method: {regex: ^(GET)$}, uri: {prefix: /}}]
    route: [{destination: {host: orders.shop.svc.cluster.local, port: {number: 8080}}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: orders-ra, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  jwtRules: [{issuer: 'https://issuer.example.org', jwksUri: 'https://issuer.example.org/keys'}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - from: [{source: {requestPrincipals: ['https://issuer.example.org/*'], principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]
    to: [{operation: {hosts: [orders.example.org], methods: [GET, POST], paths: ['/api/{**}']}}]
    when: [{key: 'request.auth.claims[scp]', values: [read]}, {key: 'request.auth.claims[aud]', values: [orders]}]
  - from: [{source: {requestPrincipals: ['https://issuer.example.org/*'], principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]
    to: [{operation: {hosts: [orders.example.org], methods: [GET, POST], paths: ['/api/{**}']}}]
    when: [{key: 'request.auth.claims[scope]', values: [read]}, {key: 'request.auth.claims[aud]', values: [orders]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-health, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]
    to: [{operation: {hosts: [orders.example.org], methods: [GET], paths: [/health]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-catchall, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]
    to: [{operation: {hosts: [orders.example.org], methods: [GET], paths: ['/{**}'], notPaths: ['/api/{**}', /health]}}]
`

func TestIstio(t *testing.T) {
	m := meshOf(t, v2Objects)
	const host = "orders.example.org"
	req := func(method, path string, token *access.Token) access.Request {
		return access.Request{Host: host, Method: method, Path: path, Token: token}
	}
	jwtRoute := want{outcome: access.Denied, service: "shop/orders", tokenRequired: true,
		requirements: "https://issuer.example.org scopes [read] audiences [orders]"}
	for _, c := range []struct {
		name string
		req  access.Request
		want want
	}{
		{"noAuth path", req("GET", "/health", nil), want{outcome: access.Allowed, service: "shop/orders"}},
		{"catch-all route, notPaths keep it off the jwt path", req("GET", "/img/a.png", nil), want{outcome: access.Allowed}},
		{"jwt path without token", req("GET", "/api/orders", nil), jwtRoute},
		{"jwt path, {**} covers nested segments", req("POST", "/api/orders/7/items", nil), jwtRoute},
		{"token without the scope", req("GET", "/api/orders", tok(issuer, nil, []string{"orders"})), jwtRoute},
		{"token without the audience", req("GET", "/api/orders", tok(issuer, []string{"read"}, nil)), jwtRoute},
		{"token with scope and audience", req("GET", "/api/orders", tok(issuer, []string{"read", "x"}, []string{"orders"})),
			want{outcome: access.Allowed, tokenRequired: true}},
		{"token of another issuer is rejected by the RequestAuthentication", req("GET", "/health", tok("https://evil.example.com", nil, nil)),
			want{outcome: access.Unauthenticated}},
		{"token in a header no JWT rule reads is ignored", req("GET", "/health", &access.Token{Issuer: "https://evil.example.com", Header: "X-Other"}),
			want{outcome: access.Allowed}},
		{"method the route does not take", req("DELETE", "/health", nil), want{outcome: access.NotRouted}},
		{"POST is not routed by the GET catch-all", req("POST", "/img", nil), want{outcome: access.NotRouted}},
		{"unknown host", access.Request{Host: "other.example.org", Method: "GET", Path: "/health"}, want{outcome: access.NotRouted}},
	} {
		t.Run(c.name, func(t *testing.T) { check(t, m, c.req, c.want) })
	}
}

func TestIstioPolicyOrder(t *testing.T) {
	base := v2Objects
	deny := base + `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-health, namespace: shop}
spec:
  action: DENY
  selector: {matchLabels: {app: orders}}
  rules: [{to: [{operation: {paths: [/health]}}]}]
`
	check(t, meshOf(t, deny), access.Request{Host: "orders.example.org", Method: "GET", Path: "/health"}, want{outcome: access.Denied})

	// An ALLOW policy without request principals on the jwt path (a later noAuth
	// rule, say) opens it: ALLOW policies add up.
	open := base + `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open-api, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules: [{to: [{operation: {methods: [GET], paths: ['/api/*']}}]}]
`
	check(t, meshOf(t, open), access.Request{Host: "orders.example.org", Method: "GET", Path: "/api/orders"}, want{outcome: access.Allowed})

	custom := base + `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: shop}
spec:
  action: CUSTOM
  provider: {name: oauth2-proxy}
  selector: {matchLabels: {app: orders}}
  rules: [{to: [{operation: {paths: [/health]}}]}]
`
	check(t, meshOf(t, custom), access.Request{Host: "orders.example.org", Method: "GET", Path: "/health"}, want{outcome: access.Unknown})

	// A policy of another workload does not apply; with no policy at all, all is allowed.
	other := strings.ReplaceAll(base, "matchLabels: {app: orders}", "matchLabels: {app: other}")
	check(t, meshOf(t, other), access.Request{Host: "orders.example.org", Method: "GET", Path: "/api/x"}, want{outcome: access.Allowed})
}

// oryObjects is a v1beta1 APIRule under the Oathkeeper handler: /headers with
// noop, /jwt with jwt, /.* with allow (directly to the Service).
const oryObjects = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: demo}
spec:
  hosts: [httpbin.example.org]
  http:
  - match: [{uri: {regex: /headers}}]
    route: [{destination: {host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local, port: {number: 4455}}}]
  - match: [{uri: {regex: /jwt}}]
    route: [{destination: {host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local, port: {number: 4455}}}]
  - match: [{uri: {regex: /.*}}]
    route: [{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}}]
---
apiVersion: oathkeeper.ory.sh/v1alpha1
kind: Rule
metadata: {name: httpbin-headers, namespace: demo}
spec:
  authenticators: [{handler: noop}]
  authorizer: {handler: allow}
  match: {methods: [GET], url: '<http|https>://httpbin.example.org</headers>'}
  upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}
---
apiVersion: oathkeeper.ory.sh/v1alpha1
kind: Rule
metadata: {name: httpbin-jwt, namespace: demo}
spec:
  authenticators:
  - handler: jwt
    config: {trusted_issuers: ['https://issuer.example.org'], jwks_urls: ['https://issuer.example.org/keys'], required_scope: [read]}
  authorizer: {handler: allow}
  match: {methods: [GET, POST], url: '<http|https>://httpbin.example.org</jwt>'}
  upstream: {url: 'http://httpbin.demo.svc.cluster.local:8000'}
`

func TestOathkeeper(t *testing.T) {
	m := meshOf(t, oryObjects)
	req := func(method, path string, token *access.Token) access.Request {
		return access.Request{Host: "httpbin.example.org", Method: method, Path: path, Token: token}
	}
	for _, c := range []struct {
		name string
		req  access.Request
		want want
	}{
		{"noop", req("GET", "/headers", nil), want{outcome: access.Allowed, service: "demo/httpbin", oathkeeper: true}},
		{"method the Rule does not list", req("POST", "/headers", nil), want{outcome: access.NotRouted, oathkeeper: true}},
		{"jwt without token", req("GET", "/jwt", nil), want{outcome: access.Unauthenticated, oathkeeper: true, tokenRequired: true,
			requirements: "https://issuer.example.org scopes [read]"}},
		{"jwt without the scope", req("GET", "/jwt", tok(issuer, nil, nil)), want{outcome: access.Unauthenticated, oathkeeper: true, tokenRequired: true}},
		{"jwt of an untrusted issuer", req("GET", "/jwt", tok("https://evil.example.com", []string{"read"}, nil)), want{outcome: access.Unauthenticated, oathkeeper: true, tokenRequired: true}},
		{"jwt with the scope", req("POST", "/jwt", tok(issuer, []string{"read"}, nil)), want{outcome: access.Allowed, oathkeeper: true, tokenRequired: true}},
		{"regex catch-all goes straight to the Service", req("DELETE", "/anything", nil), want{outcome: access.Allowed, service: "demo/httpbin"}},
		{"the VirtualService regex is a full match", req("GET", "/headers/x", nil), want{outcome: access.Allowed, service: "demo/httpbin"}},
	} {
		t.Run(c.name, func(t *testing.T) { check(t, m, c.req, c.want) })
	}

	twice := oryObjects + "---\n" + strings.Replace(oryObjects[strings.Index(oryObjects, "apiVersion: oathkeeper"):strings.Index(oryObjects, "---\napiVersion: oathkeeper.ory.sh/v1alpha1\nkind: Rule\nmetadata: {name: httpbin-jwt")], "httpbin-headers", "httpbin-headers-2", 1)
	check(t, meshOf(t, twice), req("GET", "/headers", nil), want{outcome: access.Unknown, oathkeeper: true})
}

// TestRendered evaluates what the function renders, so the model reads the
// generated objects as they are.
func TestRendered(t *testing.T) {
	m := rendered(t, `
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {selector: {app: orders}, ports: [{port: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers: [{hosts: ['*.example.org'], port: {number: 443, name: https, protocol: HTTPS}}]
---
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders]
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 8080}
  rules:
  - path: /api/{*}
    methods: [GET]
    jwt:
      authentications: [{issuer: 'https://issuer.example.org', jwksUri: 'https://issuer.example.org/keys'}]
      authorizations: [{requiredScopes: [read]}, {audiences: [orders]}]
  - path: /*
    methods: [GET]
    noAuth: true
`)
	req := func(path string, token *access.Token) access.Request {
		return access.Request{Host: "orders.example.org", Method: "GET", Path: path, Token: token}
	}
	check(t, m, req("/api/x", nil), want{outcome: access.Denied, service: "shop/orders", tokenRequired: true,
		requirements: "https://issuer.example.org scopes [read] or https://issuer.example.org audiences [orders]"})
	check(t, m, req("/api/x", tok(issuer, nil, []string{"orders"})), want{outcome: access.Allowed, tokenRequired: true})
	check(t, m, req("/api/x/y", nil), want{outcome: access.Allowed, service: "shop/orders"})
	check(t, m, req("/", nil), want{outcome: access.Allowed})
}

// TestIstioDetails covers the parts of Istio's semantics the generated objects lean
// on besides the main paths: {*} is one non-empty segment, a JWT rule's own token
// header, root-namespace policies, DENY before ALLOW whatever the object order.
func TestIstioDetails(t *testing.T) {
	objs := `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: ['*.example.org']
  http:
  - route: [{destination: {host: orders, port: {number: 8080}}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ra, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  jwtRules: [{issuer: 'https://issuer.example.org', jwksUri: 'https://issuer.example.org/keys', fromHeaders: [{name: X-JWT}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - to: [{operation: {paths: ['/items/{*}']}}]
  - from: [{source: {requestPrincipals: ['https://issuer.example.org/*']}}]
    to: [{operation: {paths: ['/private/{**}']}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all-admin, namespace: istio-system}
spec:
  action: DENY
  rules: [{to: [{operation: {paths: ['/items/admin']}}]}]
`
	m := meshOf(t, objs)
	req := func(path string, token *access.Token) access.Request {
		return access.Request{Host: "shop.example.org", Method: "GET", Path: path, Token: token}
	}
	check(t, m, req("/items/7", nil), want{outcome: access.Allowed, service: "shop/orders"})
	check(t, m, req("/items/", nil), want{outcome: access.Denied})
	check(t, m, req("/items/7/8", nil), want{outcome: access.Denied})
	check(t, m, req("/items/admin", nil), want{outcome: access.Denied})
	jwt := &access.Token{Issuer: issuer, Header: "X-JWT"}
	check(t, m, req("/private/a/b", jwt), want{outcome: access.Allowed, tokenRequired: true,
		requirements: "https://issuer.example.org"})
	check(t, m, req("/private/a/b", tok(issuer, nil, nil)), want{outcome: access.Denied, tokenRequired: true})
	check(t, m, req("/private/a", &access.Token{Issuer: "https://evil.example.com", Header: "x-jwt"}), want{outcome: access.Unauthenticated, tokenRequired: true})
	check(t, m, access.Request{Host: "example.org", Method: "GET", Path: "/items/7"}, want{outcome: access.NotRouted})
}

// TestOathkeeperChain: an authenticator that finds no credentials hands over to
// the next; one that finds and rejects them ends the chain.
func TestOathkeeperChain(t *testing.T) {
	objs := `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: demo}
spec:
  hosts: [a.example.org]
  http:
  - route: [{destination: {host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local, port: {number: 4455}}}]
---
apiVersion: oathkeeper.ory.sh/v1alpha1
kind: Rule
metadata: {name: r, namespace: demo}
spec:
  authenticators:
  - handler: jwt
    config: {jwks_urls: ['https://issuer.example.org/keys'], token_from: {header: X-JWT}}
  - handler: anonymous
  match: {methods: [GET], url: '<http|https>://a.example.org<(/.*)?>'}
  upstream: {url: 'http://app.demo.svc.cluster.local:80'}
`
	m := meshOf(t, objs)
	m.JWKSIssuers = map[string]string{"https://issuer.example.org/keys": issuer}
	req := func(token *access.Token) access.Request {
		return access.Request{Host: "a.example.org", Method: "GET", Path: "/x", Token: token}
	}
	check(t, m, req(nil), want{outcome: access.Allowed, service: "demo/app", oathkeeper: true})
	check(t, m, req(&access.Token{Issuer: issuer, Header: "X-JWT"}), want{outcome: access.Allowed, oathkeeper: true})
	check(t, m, req(&access.Token{Issuer: "https://evil.example.com", Header: "X-JWT"}), want{outcome: access.Unauthenticated, oathkeeper: true})
	check(t, m, req(tok("https://evil.example.com", nil, nil)), want{outcome: access.Allowed, oathkeeper: true})
}

// TestAddAfterEvaluate: the Mesh keeps what applies to a workload between requests;
// an object added later (decoded once, as fn/checks shares objects between meshes)
// must still decide the next request.
func TestAddAfterEvaluate(t *testing.T) {
	m := meshOf(t, v2Objects)
	health := access.Request{Host: "orders.example.org", Method: "GET", Path: "/health"}
	check(t, m, health, want{outcome: access.Allowed, service: "shop/orders"})

	items, err := (&kio.ByteReader{Reader: strings.NewReader(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-health, namespace: shop}
spec:
  action: DENY
  selector: {matchLabels: {app: orders}}
  rules: [{to: [{operation: {paths: [/health]}}]}]
`), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	d, err := access.Decode(items[0].GetApiVersion(), items[0].GetKind(), items[0].GetNamespace(), items[0].GetName(), items[0].Field("spec").Value.YNode())
	require.NoError(t, err)
	m.AddDecoded(d)
	check(t, m, health, want{outcome: access.Denied, service: "shop/orders"})

	ignored, err := access.Decode("v1", "ConfigMap", "shop", "x", nil)
	assert.NoError(t, err)
	assert.Nil(t, ignored, "kinds the model does not read decode to nil")
}
