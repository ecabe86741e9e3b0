package schema

import "testing"

// benchCases are realistic APIRules of the two shapes the function sees most.
var benchCases = map[string]string{
	"v2": v2Head + `
spec:
  hosts: [httpbin.example.com]
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
  corsPolicy: {allowOrigins: [{exact: "https://a.example.com"}], allowMethods: [GET], maxAge: 600}
  rules:
  - {path: /headers, methods: [GET], noAuth: true}
  - path: /anything/{*}/x
    methods: [POST, PUT]
    jwt:
      authentications: [{issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks"}]
      authorizations: [{requiredScopes: [read], audiences: [aud1]}]
  - {path: "/{**}", methods: [DELETE], extAuth: {authorizers: [oauth2-proxy]}}
  - {path: /*, methods: [GET], noAuth: true, timeout: 30}
`,
	"v1beta1": v1beta1Head + `
spec:
  host: httpbin
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
  rules:
  - {path: /.*, methods: [GET], accessStrategies: [{handler: allow}]}
  - path: /jwt
    methods: [GET, POST]
    accessStrategies: [{handler: jwt, config: {trusted_issuers: ["https://i"], jwks_urls: ["https://i/jwks"]}}]
    mutators: [{handler: header, config: {headers: {X-A: b}}}]
`,
}

// BenchmarkValidate measures one Validate call on a valid APIRule; the function must handle
// 10,000 APIRules in well under a second, so one call should stay far below 100µs.
func BenchmarkValidate(b *testing.B) {
	for name, doc := range benchCases {
		b.Run(name, func(b *testing.B) {
			obj := decode(b, doc)
			if vs, err := Validate(name, obj); err != nil || len(vs) > 0 {
				b.Fatalf("benchmark input is not valid: %v %v", vs, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Validate(name, obj)
			}
		})
	}
}
