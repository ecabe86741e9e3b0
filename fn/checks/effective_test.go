package checks_test

import "testing"

// noAuthRule is a v2 token-less rule.
func noAuthRule(path, methods string) string {
	return "  - path: " + path + "\n    methods: [" + methods + "]\n    noAuth: true"
}

// Class 3, the controller's policy traps, and class 1, token-less access from other
// APIRules or objects on a workload another APIRule protects with JWT: each JWT
// rule's own requests, sent without a token, through the whole render.
func TestOpenedJWTPaths(t *testing.T) {
	istio := "{jwtHandler: istio}"
	v1jwt := "{handler: jwt, config: {authentications: [{issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/keys'}], authorizations: [{audiences: [orders]}]}}"
	cases := []checkCase{
		{name: "v2 notPaths stop at the first equal path: a later public rule repeats an earlier rule's path",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a/{**}", "POST")+"\n"+jwtRule("/a/b", "GET")+"\n"+noAuthRule("/a/{**}", "GET")),
			want:  []finding{{"AF301", "shop/a", "spec.rules[1]"}}},
		{name: "near miss: the public rule's path is not repeated, so its notPaths exclude the JWT rule",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/a/b", "GET")+"\n"+noAuthRule("/a/{**}", "GET"))},
		{name: "near miss: the repeated public rule has other methods",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a/{**}", "POST")+"\n"+jwtRule("/a/b", "GET")+"\n"+noAuthRule("/a/{**}", "DELETE"))},
		{name: "a path repeated after a longer one: the later noAuth policy replaces the JWT one",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/a/b", "GET")+"\n"+jwtRule("/a", "GET")+"\n"+noAuthRule("/a", "GET")),
			want:  []finding{{"AF302", "shop/a", "spec.rules[1]"}}},
		{name: "Oathkeeper handler: an earlier allow route takes the JWT rule's requests past Oathkeeper",
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - {path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}
  - {path: /api, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ["https://idp.example.com/keys"], target_audience: [orders]}}]}`),
			want: []finding{{"AF303", "shop/a", "spec.rules[1]"}}},
		{name: "Oathkeeper handler: allow routes match every method",
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - {path: /.*, methods: [POST], accessStrategies: [{handler: allow}]}
  - {path: /api, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ["https://idp.example.com/keys"], target_audience: [orders]}}]}`),
			want: []finding{{"AF303", "shop/a", "spec.rules[1]"}}},
		{name: "near miss: Oathkeeper handler, the JWT rule first",
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - {path: /api, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ["https://idp.example.com/keys"], target_audience: [orders]}}]}
  - {path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}`)},
		{name: "near miss: Oathkeeper handler, an earlier no_auth route with other methods",
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - {path: /.*, methods: [POST], accessStrategies: [{handler: no_auth}]}
  - {path: /api, methods: [GET], accessStrategies: [{handler: jwt, config: {jwks_urls: ["https://idp.example.com/keys"], target_audience: [orders]}}]}`)},
		{name: "Istio handler: a token-less catch-all policy in the same APIRule", spec: istio,
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - {path: /jwt, methods: [GET], accessStrategies: [`+v1jwt+`]}
  - {path: /.*, methods: [GET], accessStrategies: [{handler: no_auth}]}`),
			want: []finding{{"AF301", "shop/a", "spec.rules[0]"}}},
		{name: "class 1: another APIRule's v1beta1 Istio-handler policy has no hosts and opens the v2 JWT rule on the same workload", spec: istio,
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) +
				v1beta1("b", "b.example.com", "  rules:\n  - {path: /.*, methods: [GET], accessStrategies: [{handler: no_auth}]}"),
			want: []finding{{"AF103", "shop/a", "spec.rules[0]"}}},
		{name: "class 1: workloads compared by selector: Service orders-v2 selects the same pods", spec: istio,
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) +
				replaceOnce(v1beta1("b", "b.example.com", "  rules:\n  - {path: /.*, methods: [GET], accessStrategies: [{handler: no_auth}]}"), "name: orders,", "name: orders-v2,"),
			want: []finding{{"AF103", "shop/a", "spec.rules[0]"}}},
		{name: "near miss: the other APIRule's policy is for another workload", spec: istio,
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) +
				replaceOnce(v1beta1("b", "b.example.com", "  rules:\n  - {path: /.*, methods: [GET], accessStrategies: [{handler: no_auth}]}"), "service: {name: orders, port: 8080}", "service: {name: billing, namespace: finance, port: 8080}")},
		{name: "near miss: another v2 APIRule's public policy names its own hosts",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) + v2("b", "b.example.com", "  rules:\n"+noAuthRule("/{**}", "GET"))},
		{name: "class 1: a hand-written ALLOW policy in the input opens the JWT rule",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) + `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open-orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules: [{to: [{operation: {methods: [GET]}}]}]
`,
			want: []finding{{"AF103", "shop/a", "spec.rules[0]"}}},
		{name: "near miss: a hand-written policy that requires a token",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/orders", "GET")) + `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders-tokens, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules: [{from: [{source: {requestPrincipals: ["*"]}}], to: [{operation: {methods: [GET]}}]}]
`},
	}
	runTable(t, []string{"AF103", "AF301", "AF302", "AF303"}, cases)
}
