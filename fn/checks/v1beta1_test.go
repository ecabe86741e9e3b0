package checks_test

import "testing"

// The v1beta1 quirks (class 3), moved from the renderer: each rule in the table
// renders, and the finding names the rule's field.
func TestV1beta1Quirks(t *testing.T) {
	istio := "{jwtHandler: istio}"
	rules := func(r string) string { return gateway + services + v1beta1("a", "a.example.com", "  rules: "+r) }
	cases := []checkCase{
		{name: "ory path /* matches only slashes", items: rules("[{path: /*, methods: [GET], accessStrategies: [{handler: allow}]}]"),
			want: []finding{{"AF306", "shop/a", "spec.rules[0].path"}}},
		{name: "near miss: istio /* is a prefix", spec: istio, items: rules("[{path: /*, methods: [GET], accessStrategies: [{handler: allow}]}]")},
		{name: "istio regex paths other than /* too", spec: istio, items: rules("[{path: /api/*, methods: [GET], accessStrategies: [{handler: allow}]}]"),
			want: []finding{{"AF306", "shop/a", "spec.rules[0].path"}}},
		{name: "mutators of allow/no_auth rules are ignored", items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: no_auth}], mutators: [{handler: id_token}]}]"),
			want: []finding{{"AF308", "shop/a", "spec.rules[0].mutators"}}},
		{name: "near miss: mutators of an Oathkeeper rule apply", items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: noop}], mutators: [{handler: id_token}]}]")},
		{name: "istio routes unauthorized to Oathkeeper without a Rule", spec: istio, items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: unauthorized}]}]"),
			want: []finding{{"AF309", "shop/a", "spec.rules[0].accessStrategies"}}},
		{name: "near miss: noop under istio gets a Rule", spec: istio, items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: noop}]}]")},
		{name: "istio policy paths are not regexes", spec: istio, items: rules("[{path: /files/.+, methods: [GET], accessStrategies: [{handler: no_auth}]}]"),
			want: []finding{{"AF307", "shop/a", "spec.rules[0].path"}}},
		{name: "istio: a token-less rule's {*} is a template in the policy, opening more than the route", spec: istio,
			items: rules("[{path: '/files/{*}', methods: [GET], accessStrategies: [{handler: no_auth}]}]"),
			want:  []finding{{"AF304", "shop/a", "spec.rules[0].path"}}},
		{name: "istio: in the middle of an allow rule's path too ({**} is refused: not RE2)", spec: istio,
			items: rules("[{path: '/files/{*}/raw', methods: [GET], accessStrategies: [{handler: allow}]}, {path: /b, methods: [GET], accessStrategies: [{handler: no_auth}]}]"),
			want:  []finding{{"AF304", "shop/a", "spec.rules[0].path"}}},
		{name: "near miss: a jwt rule's template only asks a token on more paths", spec: istio,
			items: rules("[{path: '/files/{*}', methods: [GET], accessStrategies: [{handler: jwt, config: {authentications: [{issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/keys'}], authorizations: [{audiences: [a]}]}}]}]"),
			want:  []finding{{"AF307", "shop/a", "spec.rules[0].path"}}},
		{name: "near miss: ory handler makes no policies", items: rules("[{path: '/files/{*}', methods: [GET], accessStrategies: [{handler: no_auth}]}]")},
		{name: "shadowed rule behind an allow rule bypasses its strategies",
			items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: allow}]}, {path: /a, methods: [POST], accessStrategies: [{handler: noop}]}]"),
			want:  []finding{{"AF305", "shop/a", "spec.rules[1]"}}},
		{name: "shadowed rule behind an Oathkeeper rule: not a bypass",
			items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: noop}]}, {path: /a, methods: [POST], accessStrategies: [{handler: noop}]}]"),
			want:  []finding{{"AF311", "shop/a", "spec.rules[1]"}}},
		{name: "shadowed rule behind a no_auth rule's method-restricted route: 404",
			items: rules("[{path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}, {path: /a, methods: [POST], accessStrategies: [{handler: noop}]}]"),
			want:  []finding{{"AF311", "shop/a", "spec.rules[1]"}}},
		{name: "istio: a Service without selector makes namespace-wide policies", spec: istio,
			items: gateway + services + `---
apiVersion: v1
kind: Service
metadata: {name: bare, namespace: shop}
spec: {ports: [{port: 80}]}
` + replaceOnce(v1beta1("a", "a.example.com", "  rules: [{path: /a, methods: [GET], accessStrategies: [{handler: no_auth}]}]"), "name: orders, port: 8080", "name: bare, port: 80"),
			want: []finding{{"AF104", "shop/a", "spec.rules[0].service"}}},
	}
	runTable(t, []string{"AF104", "AF304", "AF305", "AF306", "AF307", "AF308", "AF309", "AF311"}, cases)
}
