package checks_test

import "testing"

// Class 1, shared workloads: target Services in other namespaces, one issuer with
// two key sets on one workload (AF103, token-less access, is in TestOpenedJWTPaths).
func TestSharedWorkloads(t *testing.T) {
	jwks := func(uri string) string {
		return "  rules:\n  - path: /a\n    methods: [GET]\n    jwt:\n      authentications: [{issuer: \"https://idp.example.com\", jwksUri: \"" + uri + "\"}]\n      authorizations: [{audiences: [orders]}]"
	}
	cases := []checkCase{
		{name: "target Service in another namespace",
			items: gateway + services + replaceOnce(v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a", "GET")), "service: {name: orders, port: 8080}", "service: {name: billing, namespace: finance, port: 8080}"),
			want:  []finding{{"AF101", "shop/a", "spec.service.namespace"}}},
		{name: "a rule's Service in another namespace",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a", "GET")+"\n    service: {name: billing, namespace: finance, port: 8080}"),
			want:  []finding{{"AF101", "shop/a", "spec.rules[0].service.namespace"}}},
		{name: "near miss: the namespace spelt out is the APIRule's",
			items: gateway + services + replaceOnce(v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a", "GET")), "service: {name: orders, port: 8080}", "service: {name: orders, namespace: shop, port: 8080}")},
		{name: "one issuer, two key sets on one workload, from two APIRules",
			items: gateway + services + v2("a", "a.example.com", jwks("https://idp.example.com/keys")) + v2("b", "b.example.com", jwks("https://keys.attacker.example/jwks")),
			want:  []finding{{"AF102", "shop/b", "spec.rules[0].jwt.authentications[0].jwksUri"}}},
		{name: "workloads compared by selector: Service orders-v2 selects the same pods",
			items: gateway + services + v2("a", "a.example.com", jwks("https://idp.example.com/keys")) +
				replaceOnce(v2("b", "b.example.com", jwks("https://keys.attacker.example/jwks")), "name: orders,", "name: orders-v2,"),
			want: []finding{{"AF102", "shop/b", "spec.rules[0].jwt.authentications[0].jwksUri"}}},
		{name: "a RequestAuthentication of the input for the same workload",
			items: gateway + services + v2("a", "a.example.com", jwks("https://idp.example.com/keys")) + `---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: legacy, namespace: shop}
spec: {jwtRules: [{issuer: "https://idp.example.com", jwksUri: "https://old.example.com/keys"}]}
`,
			want: []finding{{"AF102", "shop/a", "spec.rules[0].jwt.authentications[0].jwksUri"}}},
		{name: "near miss: the same key set",
			items: gateway + services + v2("a", "a.example.com", jwks("https://idp.example.com/keys")) + v2("b", "b.example.com", jwks("https://idp.example.com/keys"))},
		{name: "near miss: another workload", spec: `{serviceSelectors: {"shop/payments": {app: payments}}}`,
			items: gateway + services + v2("a", "a.example.com", jwks("https://idp.example.com/keys")) +
				replaceOnce(v2("b", "b.example.com", jwks("https://other.example.com/keys")), "name: orders,", "name: payments,")},
	}
	runTable(t, []string{"AF101", "AF102"}, cases)
}
