package render

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/config"
)

func TestV1beta1References(t *testing.T) {
	const spec = `host: httpbin.example.com
gateway: kyma-gateway.kyma-system.svc.cluster.local
service: {name: httpbin, port: 8000}
rules:
- path: /.*
  methods: [GET]
  accessStrategies: [{handler: noop}]`
	const otherGateway = "apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: {name: other, namespace: demo}\nspec: {servers: [{hosts: ['*.example.com']}]}\n"
	const otherService = "apiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: demo}\nspec: {selector: {app: other}}\n"
	gateway := func(path, msg string) cluster.Assumption {
		return cluster.Assumption{Kind: "Gateway", Path: path, Message: msg}
	}
	service := func(path, msg string) cluster.Assumption {
		return cluster.Assumption{Kind: "Service", Path: path, Message: msg}
	}
	assumedBoth := []cluster.Assumption{
		gateway("spec.gateway", `Gateway kyma-system/kyma-gateway is not in the input; assumed it exists with an unknown domain. Add it to the input or set gateways["kyma-system/kyma-gateway"] (its domain) in the function config`),
		service("spec.service", `Service demo/httpbin is not in the input; assumed its selector is {app: httpbin}. Add the Service to the input or set serviceSelectors["demo/httpbin"] in the function config`),
	}
	tests := []struct {
		name  string
		items string
		cfg   config.Config
		want  []cluster.Assumption
	}{
		{"all in the input: nothing to say", v1beta1KymaGateway + "---\n" + v1beta1HttpbinService, config.Config{}, nil},
		{"nothing in the input: both assumed", "", config.Config{}, assumedBoth},
		{"nothing in the input, strict: assumed all the same, the checks make them errors", "", config.Config{Strict: true}, assumedBoth},
		{"config declares both", "", config.Config{Strict: true, Gateways: map[string]string{"kyma-system/kyma-gateway": ""},
			ServiceSelectors: map[string]map[string]string{"demo/httpbin": {"app": "httpbin"}}}, nil},
		{"the input holds other Services: recorded at the field, the controller would render", v1beta1KymaGateway + "---\n" + otherService, config.Config{}, []cluster.Assumption{
			service("spec.service", `Service demo/httpbin is not in the input, though the input holds others of its kind: if it does not exist in the cluster, the routes will not work (istioctl analyze: IST0101); add it to the input or set serviceSelectors["demo/httpbin"] in the function config`),
		}},
		{"the input holds other Gateways: recorded at the field", otherGateway + "---\n" + v1beta1HttpbinService, config.Config{}, []cluster.Assumption{
			gateway("spec.gateway", `Gateway kyma-system/kyma-gateway is not in the input, though the input holds others of its kind: if it does not exist in the cluster, the routes will not work (istioctl analyze: IST0101); add it to the input or set gateways["kyma-system/kyma-gateway"] in the function config (known Gateways: demo/other)`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := V1beta1(v1beta1Context(t, tt.items, tt.cfg), v1beta1APIRule(t, spec))
			assert.Empty(t, out.Findings)
			assert.Equal(t, tt.want, out.Assumptions)
			assert.NotEmpty(t, out.Objects, "the controller renders all the same")
		})
	}
}

func TestGatewayRef(t *testing.T) {
	for ref, want := range map[string][2]string{
		"kyma-system/kyma-gateway":                   {"kyma-system", "kyma-gateway"},
		"kyma-gateway.kyma-system.svc.cluster.local": {"kyma-system", "kyma-gateway"},
		"my-gateway": {"demo", "my-gateway"},
	} {
		ns, name := gatewayRef(ref, "demo")
		assert.Equal(t, want, [2]string{ns, name}, ref)
	}
}
