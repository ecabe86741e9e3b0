package render

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
	const otherService = "apiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: demo}\nspec: {selector: {app: other}}\n"
	tests := []struct {
		name  string
		items string
		cfg   config.Config
		want  []Finding
	}{
		{"all in the input: nothing to say", v1beta1KymaGateway + "---\n" + v1beta1HttpbinService, config.Config{}, nil},
		{"nothing in the input: both assumed", "", config.Config{}, []Finding{
			{Severity: Warning, Message: `Gateway kyma-system/kyma-gateway is not in the input; assumed it exists with an unknown domain. Add it to the input or set gateways["kyma-system/kyma-gateway"] (its domain) in the function config`},
			{Severity: Warning, Message: `Service demo/httpbin is not in the input; assumed its selector is {app: httpbin}. Add the Service to the input or set serviceSelectors["demo/httpbin"] in the function config`},
		}},
		{"nothing in the input, strict: each missing object is an error", "", config.Config{Strict: true}, []Finding{
			{Severity: Error, Path: "spec.gateway", Message: `Gateway kyma-system/kyma-gateway is not in the input (strict: true): add it to the input or set gateways["kyma-system/kyma-gateway"] in the function config (no Gateway is known)`},
			{Severity: Error, Path: "spec.service", Message: `Service demo/httpbin is not in the input (strict: true): add it to the input or set serviceSelectors["demo/httpbin"] in the function config`},
		}},
		{"config declares both", "", config.Config{Strict: true, Gateways: map[string]string{"kyma-system/kyma-gateway": ""},
			ServiceSelectors: map[string]map[string]string{"demo/httpbin": {"app": "httpbin"}}}, nil},
		{"the input holds other Services: a warning, the controller would render", v1beta1KymaGateway + "---\n" + otherService, config.Config{}, []Finding{
			{Severity: Warning, Path: "spec.service", Message: `Service demo/httpbin is not in the input, though the input holds others of its kind: if it does not exist in the cluster, the routes will not work (istioctl analyze: IST0101); add it to the input or set serviceSelectors["demo/httpbin"] in the function config`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := V1beta1(v1beta1Context(t, tt.items, tt.cfg), v1beta1APIRule(t, spec))
			assert.Equal(t, tt.want, out.Findings)
			assert.Equal(t, tt.want == nil || tt.want[0].Severity == Warning, len(out.Objects) > 0)
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
