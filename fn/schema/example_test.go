package schema_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/schema"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func ExampleValidate() {
	var apiRule map[string]any
	_ = yaml.Unmarshal([]byte(`
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: httpbin, namespace: demo}
spec:
  hosts: [httpbin.example.com]
  gateway: kyma-gateway
  service: {name: httpbin, port: 8000}
  rules:
  - path: /headers
    methods: [get]
    noauth: true
`), &apiRule)

	violations, err := schema.Validate("v2", apiRule)
	if err != nil {
		panic(err)
	}
	for _, v := range violations {
		fmt.Println(v)
	}
	// Output:
	// spec.gateway: Invalid value: "kyma-gateway": Gateway must be in the namespace/name format
	// spec.rules[0]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth
	// spec.rules[0].methods[0]: Unsupported value: "get": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"
	// spec.rules[0].noauth: Unknown field: not in the schema (the API server would prune it silently)
}
