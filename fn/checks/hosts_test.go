package checks_test

import "testing"

// Class 2, hosts: wildcards, hosts that differ only in case, Oathkeeper match.urls
// that match other hosts.
func TestHosts(t *testing.T) {
	public := "  rules:\n" + noAuthRule("/a", "GET")
	cases := []checkCase{
		{name: "wildcard host", items: gateway + services + v2("a", `"*.shop.example.com"`, public),
			want: []finding{{"AF201", "shop/a", "spec.hosts[0]"}}},
		{name: "near miss: a plain host", items: gateway + services + v2("a", "a.example.com", public)},
		{name: "hosts that differ only in case, across APIRules (v1beta1 hosts may have upper case)",
			items: gateway + services + v2("a", "orders.example.com", public) + v1beta1("b", "Orders.example.com", "  rules: [{path: /a, methods: [GET], accessStrategies: [{handler: allow}]}]"),
			want:  []finding{{"AF202", "shop/b", "spec.host"}}},
		{name: "a host that differs only in case from a VirtualService of the input",
			items: gateway + services + v1beta1("a", "Legacy.example.com", "  rules: [{path: /a, methods: [GET], accessStrategies: [{handler: allow}]}]") + `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: other}
spec: {hosts: [legacy.example.com], http: [{route: [{destination: {host: legacy.other.svc.cluster.local}}]}]}
`,
			want: []finding{{"AF202", "shop/a", "spec.host"}}},
		{name: "near miss: different hosts", items: gateway + services + v2("a", "orders.example.com", public) + v2("b", "billing.example.com", public)},
		{name: "Oathkeeper match.url: a path that does not start with / extends the host",
			items: gateway + services + v1beta1("a", "x.example.co", `  rules:
  - {path: m/.*, methods: [GET], accessStrategies: [{handler: noop}]}`),
			want: []finding{{"AF203", "shop/a", "spec.rules[0].path"}}},
		{name: "Oathkeeper match.url: an alternation that does not start with /",
			items: gateway + services + v1beta1("a", "x.example.co", `  rules:
  - {path: "(/a|m/b)", methods: [GET], accessStrategies: [{handler: noop}]}`),
			want: []finding{{"AF203", "shop/a", "spec.rules[0].path"}}},
		{name: "Oathkeeper match.url: a leading .* extends the host",
			items: gateway + services + v1beta1("a", "x.example.co", `  rules:
  - {path: .*/admin, methods: [GET], accessStrategies: [{handler: noop}]}`),
			want: []finding{{"AF203", "shop/a", "spec.rules[0].path"}}},
		{name: "near miss: a path that starts with /",
			items: gateway + services + v1beta1("a", "x.example.co", `  rules:
  - {path: /m/.*, methods: [GET], accessStrategies: [{handler: noop}]}`)},
		{name: "near miss: no Oathkeeper Rule for an allow rule",
			items: gateway + services + v1beta1("a", "x.example.co", `  rules:
  - {path: m/.*, methods: [GET], accessStrategies: [{handler: allow}]}`)},
	}
	runTable(t, []string{"AF201", "AF202", "AF203"}, cases)
}
