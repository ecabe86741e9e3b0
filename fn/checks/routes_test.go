package checks_test

import "testing"

// Class 6, routes istiod will not use as the APIRule reads: a host the Gateway does not
// serve (IST0132), the legacy gateway spelling (IST0133), a port the Service does not
// expose (IST0101), a route made unreachable by an earlier one (IST0130).
func TestRoutes(t *testing.T) {
	// gatewayWith is kyma-system/kyma-gateway with an HTTPS server for *.example.net (the
	// default domain) and an HTTP server for hosts.
	gatewayWith := func(hosts ...string) string {
		list := ""
		for i, h := range hosts {
			if i > 0 {
				list += ", "
			}
			list += `"` + h + `"`
		}
		return `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ["*.example.net"]
    port: {number: 443, name: https, protocol: HTTPS}
  - hosts: [` + list + `]
    port: {number: 80, name: http, protocol: HTTP}
`
	}
	noAuth := "  rules:\n  - path: /a\n    methods: [GET]\n    noAuth: true"
	oryRule := "  rules:\n  - path: /a\n    methods: [GET]\n    accessStrategies: [{handler: no_auth}]"
	legacy := func(name string) string {
		return `---
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: ` + name + `, namespace: shop}
spec:
  host: a.example.com
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service: {name: orders, port: 8080}
` + oryRule + "\n"
	}
	cases := []checkCase{
		{name: "host on the Gateway: nothing", items: gateway + services + v2("a", "a.example.com", noAuth)},
		{name: "host the Gateway does not serve", items: gateway + services + v2("a", "a.example.org", noAuth),
			want: []finding{{"AF601", "shop/a", "spec.hosts[0]"}}},
		{name: "v1beta1 host the Gateway does not serve", items: gateway + services + v1beta1("a", "a.example.org", oryRule),
			want: []finding{{"AF601", "shop/a", "spec.host"}}},
		{name: "near miss: the wildcard covers a deeper name", items: gateway + services + v2("a", "x.a.example.com", noAuth)},
		{name: "near miss: a wildcard host inside the Gateway's wildcard", items: gateway + services + v2("a", `"*.a.example.com"`, noAuth)},
		{name: "a Gateway host for another namespace", items: gatewayWith("team/*.example.com") + services + v2("a", "a.example.com", noAuth),
			want: []finding{{"AF601", "shop/a", "spec.hosts[0]"}}},
		{name: "near miss: a Gateway host for this namespace and */ for all", items: gatewayWith("shop/a.example.com", "*/b.example.com") + services +
			v2("a", "a.example.com", noAuth) + v2("b", "b.example.com", noAuth)},
		{name: "./ means the Gateway's own namespace", items: gatewayWith("./a.example.com") + services + v2("a", "a.example.com", noAuth),
			want: []finding{{"AF601", "shop/a", "spec.hosts[0]"}}},
		{name: "host names compare case-sensitively, as istiod binds them", items: gatewayWith("*.EXAMPLE.com") + services +
			v1beta1("a", "a.example.com", oryRule),
			want: []finding{{"AF601", "shop/a", "spec.host"}}},
		{name: "near miss: Gateway not in the input", spec: `{gateways: {"kyma-system/kyma-gateway": example.com}}`, items: services + v2("a", "a.example.org", noAuth)},
		{name: "legacy gateway spelling, resolved as istiod does", items: gateway + services + legacy("a"),
			want: []finding{{"AF602", "shop/a", "spec.gateway"}}},
		{name: "legacy spelling and a host the Gateway it names does not serve", items: gatewayWith("*.example.org") + services + legacy("a"),
			want: []finding{{"AF601", "shop/a", "spec.host"}, {"AF602", "shop/a", "spec.gateway"}}},
		{name: "a port the Service does not expose", items: gateway + services + `---
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: a, namespace: shop}
spec:
  hosts: [a.example.com]
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 9090}
` + noAuth + "\n",
			want: []finding{{"AF603", "shop/a", "spec.service.port"}}},
		{name: "a rule's Service in another namespace on a port it does not expose", items: gateway + services + v2("a", "a.example.com", `  rules:
  - path: /a
    methods: [GET]
    noAuth: true
    service: {name: billing, namespace: finance, port: 9090}`),
			want: []finding{{"AF603", "shop/a", "spec.rules[0].service.port"}}},
		{name: "near miss: the Service's own port", items: gateway + services + v2("a", "a.example.com", `  rules:
  - path: /a
    methods: [GET]
    noAuth: true
    service: {name: billing, namespace: finance, port: 8080}`)},
	}
	runTable(t, []string{"AF601", "AF602", "AF603", "AF604"}, cases)
}
