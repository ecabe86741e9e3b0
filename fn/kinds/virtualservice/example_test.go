package virtualservice_test

import (
	"fmt"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// A renderer decides the facts (host, gateway, destination, timeout); the builder
// only lays them out as the controller's VirtualService.
func ExampleNew() {
	spec := virtualservice.New([]string{"httpbin.example.com"}, []string{"kyma-system/kyma-gateway"}, []virtualservice.Route{{
		URIPrefix: "/", Methods: []string{"GET"},
		DestinationHost: "httpbin.default.svc.cluster.local", DestinationPort: 8000,
		Timeout: 180 * time.Second,
	}})
	fmt.Print(yaml.NewRNode(object.ProtoNode(spec.ProtoReflect())).MustString())
	// Output:
	// gateways:
	// - kyma-system/kyma-gateway
	// hosts:
	// - httpbin.example.com
	// http:
	// - headers:
	//     request: {}
	//     response: {}
	//   match:
	//   - method:
	//       regex: ^(GET)$
	//     uri:
	//       prefix: /
	//   route:
	//   - destination:
	//       host: httpbin.default.svc.cluster.local
	//       port:
	//         number: 8000
	//     weight: 100
	//   timeout: 180s
}
