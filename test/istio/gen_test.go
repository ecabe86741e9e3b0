package istio

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/schema"
)

// scenario is one generated function input: cluster objects, APIRules and a function config.
type scenario struct {
	items  []obj
	config obj
	// invalid counts generated APIRules that the CRD schema refuses; they are left out, so
	// every APIRule in items is one the API server would store.
	invalid int
}

func (s scenario) stdin() []byte { return resourceList(s.items, s.config) }

// gen draws a scenario. The pools mix ordinary values with the values istiod is known to
// refuse (headers with Envoy % syntax, lower-case CORS methods, labels with _, all-numeric
// top-level domains, regex paths, jwksUri schemes, ...), so that both sides of the property
// are reached often.
type gen struct{ r *rand.Rand }

// generate makes the scenario of a seed; the same seed always gives the same scenario.
func generate(seed uint64) scenario {
	g := gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed5eed5eed5eed))}
	return g.scenario()
}

func (g gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g gen, pool ...T) T { return pool[g.r.IntN(len(pool))] }

// some returns between min and max distinct-position draws of f.
func some[T any](g gen, minN, maxN int, f func() T) []any {
	n := minN + g.r.IntN(maxN-minN+1)
	out := make([]any, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

// pool holds ordinary values and odd ones (those istiod or the controller may refuse); odd
// ones are drawn with probability oddChance, so that most APIRules render and the odd values
// still occur in thousands of combinations.
type pool struct{ ok, odd []string }

const oddChance = 0.12

func (g gen) from(p pool) string {
	if len(p.odd) > 0 && (len(p.ok) == 0 || g.chance(oddChance)) {
		return pick(g, p.odd...)
	}
	return pick(g, p.ok...)
}

var (
	namespaces   = []string{"demo", "default", "team-a"}
	serviceNames = pool{[]string{"httpbin", "echo", "orders"}, []string{"my_svc", "Upper", "a.b", strings.Repeat("s", 64), "missing"}}
	methods      = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
	// gatewayHosts are Gateway server hosts, with the namespace forms istiod accepts.
	gatewayHosts = pool{[]string{"*.local.kyma.dev", "*.example.com"}, []string{"demo/*.example.com", "./api.example.com", "*/*.example.com", "*.EXAMPLE.com", "api.example.com", "team-a/*"}}
	v2Hosts      = pool{[]string{"api.example.com", "httpbin", "*.example.com", "shop.local.kyma.dev", "orders.example.com", "orders"},
		[]string{"a.b.12", "api.example.123", strings.Repeat("a", 63) + ".example.com", strings.Repeat("abcdefghi.", 24) + "example.com", "x.y", "api.other.org"}}
	v1beta1Hosts = pool{[]string{"api.example.com", "httpbin", "shop.local.kyma.dev", "abc", "orders.example.com"},
		[]string{"my_host.example.com", "API.example.com", "a.b.12", strings.Repeat("b", 64) + ".example.com", strings.Repeat("abcdefghi.", 24) + "example.com", "api_v1", "api.other.org"}}
	v2Paths = pool{[]string{"/*", "/", "/api", "/api/{*}", "/api/{**}", "/{**}", "/headers", "/api/v1/", "/a/{*}/b", "/a/{**}/b"},
		[]string{"/api//{*}", "/%20x", "/a:b", "/{*}/{**}", "/api/{*}/x/{**}", "/~user", "/a$b", "/{**}/{**}"}}
	v1beta1Paths = pool{[]string{"/.*", "/api/.*", "/headers", "/get", "/a.b", "/api/*", "/*"},
		[]string{"/users/{id}", "/v[0-9]{1,2}/.*", "/(a|b)", "/" + strings.Repeat("a", 1100), "/{*}", "/api/{**}", "/status/[0-9]+", "/api//x", "/(", "/x?y"}}
	headerNames  = pool{[]string{"X-Custom", "x-api-key", "Content-Type"}, []string{"X_Under", "bad name", ":path", "Host", ":authority", "", "X-Ümlaut", "x,y"}}
	headerValues = pool{[]string{"value", "Bearer x", "%REQ(:path)%", "%DOWNSTREAM_REMOTE_ADDRESS%"}, []string{"100%", "%", "%20", "%FOO", "a\x01b", "line\nbreak", "", "%%", "%UNKNOWN_VAR%"}}
	cookieNames  = pool{[]string{"session", "user"}, []string{"a=b", "bad name", "", "x;y"}}
	corsMethods  = pool{[]string{"GET", "POST", "PATCH", "OPTIONS", "PUT"}, []string{"get", "FOO", ""}}
	corsHeaders  = pool{[]string{"X-A", "Authorization", "Content-Type", "*"}, []string{"a,b", "", "bad header"}}
	issuers      = pool{[]string{"https://issuer.example.com"}, []string{"http://issuer.local", "", "issuer with space"}}
	jwksURIs     = pool{[]string{"https://issuer.example.com/jwks"}, []string{"http://jwks.local/keys", "javascript:alert(1)", "file:///etc/keys", "/jwks", "", "https://"}}
	authorizers  = pool{[]string{"ext-authz"}, []string{"", "other"}}
	v1beta1Gws   = pool{[]string{"kyma-system/kyma-gateway"}, []string{"kyma-gateway.kyma-system.svc.cluster.local", "my_gw/x", "kyma-system/kyma_gateway", "demo/custom-gw", "kyma-gateway"}}
	v2Gws        = pool{[]string{"kyma-system/kyma-gateway"}, []string{"demo/custom-gw", "kyma-system/missing"}}
	maxAges      = pool{[]string{"1s", "10m", "1h"}, []string{"500ms", "1.5s", "0s"}}
)

func (g gen) scenario() scenario {
	var s scenario
	if g.chance(0.9) {
		s.items = append(s.items, g.gateway("kyma-system", "kyma-gateway"))
	}
	if g.chance(0.2) {
		s.items = append(s.items, g.gateway("demo", "custom-gw"))
	}
	if g.chance(0.75) {
		for _, ns := range namespaces {
			for _, name := range []string{"httpbin", "echo", "orders"} {
				if g.chance(0.8) {
					s.items = append(s.items, g.service(ns, name))
				}
			}
		}
	}
	spec := obj{}
	handler := pick(g, "istio", "ory")
	if g.chance(0.8) {
		spec["jwtHandler"] = handler
	}
	if g.chance(0.3) {
		spec["defaultDomain"] = g.from(pool{[]string{"local.kyma.dev", "example.com"}, []string{"example.123", strings.Repeat("d", 63) + ".example.com"}})
	}
	if g.chance(0.9) {
		spec["extAuthProviders"] = []any{"ext-authz"}
	}
	if g.chance(0.1) {
		spec["oathkeeperProxy"] = g.from(pool{[]string{"ory-oathkeeper-proxy.kyma-system.svc.cluster.local:4455", "oathkeeper.auth.svc.cluster.local:4455"},
			[]string{"oath_keeper.kyma-system.svc.cluster.local:4455", "oathkeeper.kyma-system.svc.cluster.local", "Oathkeeper.kyma-system.svc.cluster.local:4455"}})
	}
	if g.chance(0.1) {
		spec["defaultCorsPolicy"] = obj{
			"allowOrigins": []any{g.from(pool{
				[]string{"regex:.*", "exact:https://a.example.com", "prefix:https://"},
				[]string{"exact:", "regex:(", "regex:" + strings.Repeat("a", 1100)},
			})},
			"allowMethods": []any{g.from(corsMethods)},
			"allowHeaders": []any{g.from(corsHeaders)},
		}
	}
	if g.chance(0.1) {
		spec["selectorLabel"] = g.from(pool{[]string{"app", "app.kubernetes.io/name"}, []string{"bad label", "a/b/c"}})
	}
	if g.chance(0.2) {
		spec["istioAPIVersion"] = pick(g, "v1", "v1beta1")
	}
	if g.chance(0.15) {
		spec["serviceSelectors"] = obj{"demo/orders": obj{"app": g.from(pool{[]string{"orders"}, []string{"ord*", "*"}})}}
	}
	s.config = obj{"apiVersion": "apirule.krm.dev/v1alpha1", "kind": "APIRuleTransformer", "metadata": obj{"name": "render"}, "spec": spec}
	n := 1 + g.r.IntN(3)
	for i := range n {
		version := pick(g, "v2", "v2", "v2alpha1", "v1beta1", "v1beta1", "v1alpha1")
		var rule obj
		switch version {
		case "v2", "v2alpha1":
			rule = g.v2(version, i)
		case "v1beta1":
			rule = g.v1beta1(i, handler)
		default:
			rule = g.v1alpha1(i, handler)
		}
		if violations, err := schema.Validate(version, rule); err != nil || len(violations) > 0 {
			s.invalid++
			continue
		}
		s.items = append(s.items, rule)
	}
	return s
}

func (g gen) gateway(ns, name string) obj {
	https := func() obj {
		return obj{"port": obj{"number": 443, "name": "https", "protocol": "HTTPS"},
			"tls":   obj{"mode": "SIMPLE", "credentialName": "certs"},
			"hosts": []any{g.from(gatewayHosts)}}
	}
	servers := []any{https()}
	if g.chance(oddChance) {
		servers = append(servers, https())
	}
	if g.chance(0.3) {
		servers = append(servers, obj{"port": obj{"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": []any{g.from(gatewayHosts)}})
	}
	return obj{"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": obj{"name": name, "namespace": ns},
		"spec": obj{"selector": obj{"istio": "ingressgateway"}, "servers": servers}}
}

func (g gen) service(ns, name string) obj {
	selector := obj{"app": name}
	if g.chance(0.05) {
		selector = obj{"app": name + "*"}
	}
	return obj{"apiVersion": "v1", "kind": "Service", "metadata": obj{"name": name, "namespace": ns},
		"spec": obj{"selector": selector, "ports": []any{obj{"name": "http", "port": pick(g, 8000, 80)}}}}
}

func (g gen) meta(i int) obj {
	return obj{"name": fmt.Sprintf("api-%d", i), "namespace": pick(g, namespaces...)}
}

func (g gen) methods() []any {
	return some(g, 1, 3, func() string { return pick(g, methods...) })
}

func (g gen) backend() obj {
	s := obj{"name": g.from(serviceNames), "port": pick(g, 8000, 80, 65535, 1)}
	if g.chance(0.3) {
		s["namespace"] = pick(g, namespaces...)
	}
	return s
}

func (g gen) v2(version string, i int) obj {
	spec := obj{"hosts": []any{g.from(v2Hosts)}, "rules": g.distinctPaths(g.v2Rule, v2Paths)}
	if g.chance(0.97) {
		spec["gateway"] = g.from(v2Gws)
	}
	if g.chance(0.95) {
		spec["service"] = g.backend()
	}
	if g.chance(0.3) {
		spec["corsPolicy"] = g.cors(obj{"maxAge": pick(g, 1, 600, 86400)})
	}
	if g.chance(0.2) {
		spec["timeout"] = pick(g, 1, 60, 3900)
	}
	return obj{"apiVersion": "gateway.kyma-project.io/" + version, "kind": "APIRule", "metadata": g.meta(i), "spec": spec}
}

func (g gen) v2Rule(path string) obj {
	r := obj{"path": path, "methods": g.methods()}
	switch g.r.IntN(3) {
	case 0:
		r["noAuth"] = true
	case 1:
		r["jwt"] = g.jwt()
	default:
		ext := obj{"authorizers": []any{g.from(authorizers)}}
		if g.chance(0.3) {
			ext["restrictions"] = g.jwt()
		}
		r["extAuth"] = ext
	}
	if g.chance(0.3) {
		req := obj{}
		if g.chance(0.6) {
			req["headers"] = g.stringMap(headerNames, headerValues)
		}
		if g.chance(0.5) {
			req["cookies"] = g.stringMap(cookieNames, headerValues)
		}
		r["request"] = req
	}
	if g.chance(0.2) {
		r["service"] = g.backend()
	}
	if g.chance(0.1) {
		r["timeout"] = pick(g, 1, 30, 3900)
	}
	return r
}

// distinctPaths makes one to three rules on different paths (rules on one path and method
// fail the controller's validation, which would hide everything else).
func (g gen) distinctPaths(rule func(path string) obj, paths pool) []any {
	seen := map[string]bool{}
	var rules []any
	for range 1 + g.r.IntN(3) {
		if p := g.from(paths); !seen[p] {
			seen[p] = true
			rules = append(rules, rule(p))
		}
	}
	return rules
}

func (g gen) jwt() obj {
	auth := func() obj {
		a := obj{"issuer": g.from(issuers), "jwksUri": g.from(jwksURIs)}
		if g.chance(0.25) {
			a["fromHeaders"] = []any{obj{"name": g.from(pool{[]string{"Authorization", "X-Token"}, []string{"", "x bad"}}), "prefix": pick(g, "Bearer ", "")}}
		}
		if g.chance(0.15) {
			a["fromParams"] = []any{g.from(pool{[]string{"token", "access_token"}, []string{""}})}
		}
		return a
	}
	j := obj{"authentications": []any{auth()}}
	if g.chance(0.5) {
		j["authorizations"] = some(g, 1, 2, func() obj {
			a := obj{}
			if g.chance(0.6) {
				a["requiredScopes"] = some(g, 1, 2, func() string { return g.from(pool{[]string{"read", "write"}, []string{""}}) })
			}
			if g.chance(0.5) {
				a["audiences"] = some(g, 1, 2, func() string { return g.from(pool{[]string{"aud", "https://api"}, []string{""}}) })
			}
			return a
		})
	}
	return j
}

func (g gen) stringMap(names, values pool) obj {
	m := obj{}
	for range 1 + g.r.IntN(2) {
		m[g.from(names)] = g.from(values)
	}
	return m
}

// cors draws a CORS policy; maxAge carries the version's own maxAge type.
func (g gen) cors(maxAge obj) obj {
	c := obj{}
	if g.chance(0.7) {
		c["allowOrigins"] = some(g, 1, 2, func() obj {
			if g.chance(oddChance) {
				return pick(g, obj{"exact": ""}, obj{"regex": strings.Repeat("a", 1100)}, obj{"regex": "("})
			}
			return pick(g, obj{"exact": "https://a.example.com"}, obj{"prefix": "https://"}, obj{"regex": ".*"}, obj{"regex": "https://.*\\.example\\.com"})
		})
	}
	if g.chance(0.6) {
		c["allowMethods"] = some(g, 1, 3, func() string { return g.from(corsMethods) })
	}
	if g.chance(0.5) {
		c["allowHeaders"] = some(g, 1, 2, func() string { return g.from(corsHeaders) })
	}
	if g.chance(0.3) {
		c["exposeHeaders"] = some(g, 1, 2, func() string { return g.from(corsHeaders) })
	}
	if g.chance(0.3) {
		c["allowCredentials"] = g.chance(0.5)
	}
	if g.chance(0.4) {
		for k, v := range maxAge {
			c[k] = v
		}
	}
	return c
}

func (g gen) v1beta1(i int, handler string) obj {
	spec := obj{"host": g.from(v1beta1Hosts), "gateway": g.from(v1beta1Gws),
		"rules": g.distinctPaths(func(p string) obj { return g.oryRule(p, handler) }, v1beta1Paths)}
	if g.chance(0.95) {
		spec["service"] = g.backend()
	}
	if g.chance(0.3) {
		spec["corsPolicy"] = g.cors(obj{"maxAge": g.from(maxAges)})
	}
	if g.chance(0.2) {
		spec["timeout"] = pick(g, 1, 60, 3900)
	}
	return obj{"apiVersion": "gateway.kyma-project.io/v1beta1", "kind": "APIRule", "metadata": g.meta(i), "spec": spec}
}

func (g gen) v1alpha1(i int, handler string) obj {
	svc := g.backend()
	delete(svc, "namespace")
	svc["host"] = g.from(v1beta1Hosts)
	spec := obj{"service": svc, "gateway": g.from(v1beta1Gws),
		"rules": g.distinctPaths(func(p string) obj { return g.oryRule(p, handler) }, v1beta1Paths)}
	return obj{"apiVersion": "gateway.kyma-project.io/v1alpha1", "kind": "APIRule", "metadata": g.meta(i), "spec": spec}
}

// oryRule is a v1alpha1/v1beta1 rule: access strategies and mutators, for either JWT handler.
func (g gen) oryRule(path, handler string) obj {
	r := obj{"path": path, "methods": g.methods(), "accessStrategies": []any{g.accessStrategy(handler)}}
	if g.chance(oddChance) {
		r["accessStrategies"] = append(r["accessStrategies"].([]any), g.accessStrategy(handler))
	}
	if g.chance(0.3) {
		r["mutators"] = some(g, 1, 2, func() obj {
			switch g.r.IntN(4) {
			case 0:
				return obj{"handler": "header", "config": obj{"headers": g.stringMap(headerNames, headerValues)}}
			case 1:
				return obj{"handler": "cookie", "config": obj{"cookies": g.stringMap(cookieNames, headerValues)}}
			default:
				return obj{"handler": pick(g, "noop", "id_token", "hydrator")}
			}
		})
	}
	if g.chance(0.2) {
		r["service"] = g.backend()
	}
	return r
}

func (g gen) accessStrategy(handler string) obj {
	h := g.from(pool{[]string{"no_auth", "allow", "noop", "jwt", "jwt", "oauth2_introspection"}, []string{"unauthorized", "anonymous", "cookie_session", "oauth2_client_credentials"}})
	s := obj{"handler": h}
	switch h {
	case "jwt":
		if (handler == "istio") != g.chance(oddChance) {
			s["config"] = g.jwt() // the Istio handler's form
		} else {
			s["config"] = obj{"jwks_urls": []any{pick(g, "https://issuer.example.com/jwks", "http://jwks.local/keys", "file:///keys")},
				"trusted_issuers": []any{pick(g, "https://issuer.example.com", "http://issuer.local")}}
		}
	case "oauth2_introspection":
		s["config"] = obj{"required_scope": some(g, 1, 2, func() string { return pick(g, "read", "write") })}
	}
	return s
}
