package access_test

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/apirule-krm/apirule-fn/fn/access"
)

// A jwt route and what it takes to get through: the Mesh is built from the
// rendered objects (here a YAML stream), then asked about requests.
func Example() {
	items, _ := (&kio.ByteReader{Reader: strings.NewReader(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders.example.org]
  http:
  - match: [{method: {regex: ^(GET)$}, uri: {regex: ^/orders$}}]
    route: [{destination: {host: orders.shop.svc.cluster.local, port: {number: 8080}}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  jwtRules: [{issuer: 'https://issuer.example.org', jwksUri: 'https://issuer.example.org/keys'}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
  - from: [{source: {requestPrincipals: ['https://issuer.example.org/*']}}]
    to: [{operation: {methods: [GET], paths: [/orders]}}]
    when: [{key: 'request.auth.claims[scp]', values: [read]}]
`), OmitReaderAnnotations: true}).Read()
	mesh := access.New()
	if err := mesh.AddNodes(items); err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range []*access.Token{nil, {Issuer: "https://issuer.example.org", Scopes: []string{"read"}}} {
		d := mesh.Evaluate(access.Request{Host: "orders.example.org", Method: "GET", Path: "/orders", Token: t})
		fmt.Println(d)
	}
	fmt.Println(mesh.Evaluate(access.Request{Host: "orders.example.org", Method: "GET", Path: "/orders/1"}))
	// Output:
	// denied to shop/orders, token required: https://issuer.example.org scopes [read]
	// allowed to shop/orders, token required: https://issuer.example.org scopes [read]
	// not routed
}
