package checks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
)

// Class 7, references the render took for granted: a Gateway (AF701) or a Service
// (AF702) the APIRule names and the input does not hold.
func TestReferences(t *testing.T) {
	noAuth := "  rules:\n  - path: /a\n    methods: [GET]\n    noAuth: true"
	oryRule := "  rules:\n  - path: /a\n    methods: [GET]\n    accessStrategies: [{handler: no_auth}]"
	otherGateway := "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: other, namespace: kyma-system}\nspec: {servers: [{hosts: [\"*.example.com\"], port: {number: 443, name: https, protocol: HTTPS}}]}\n"
	cases := []checkCase{
		{name: "both in the input: nothing", items: gateway + services + v2("a", "a.example.com", noAuth)},
		{name: "no Gateway in the input: assumed", items: services + v2("a", "a.example.com", noAuth),
			want: []finding{{"AF701", "shop/a", "spec.gateway"}}},
		{name: "no Service in the input: assumed", items: gateway + v2("a", "a.example.com", noAuth),
			want: []finding{{"AF702", "shop/a", "spec.service"}}},
		{name: "the same assumption is reported once per APIRule, on each APIRule", items: gateway +
			v2("a", "a.example.com", noAuth+"\n  - path: /b\n    methods: [GET]\n    noAuth: true") + v2("b", "b.example.com", noAuth),
			want: []finding{{"AF702", "shop/a", "spec.service"}, {"AF702", "shop/b", "spec.service"}}},
		{name: "near miss: the config declares both", spec: `{gateways: {"kyma-system/kyma-gateway": example.com}, serviceSelectors: {"shop/orders": {app: orders}}}`,
			items: v2("a", "a.example.com", noAuth)},
		{name: "v1beta1: the input holds another Gateway, not this one", items: otherGateway + services + v1beta1("a", "a.example.com", oryRule),
			want: []finding{{"AF701", "shop/a", "spec.gateway"}}},
		{name: "v1beta1 Oathkeeper handler: the input holds other Services, not this one", items: gateway + services +
			replaceOnce(v1beta1("a", "a.example.com", oryRule), "name: orders", "name: payments"),
			want: []finding{{"AF702", "shop/a", "spec.service"}}},
		{name: "near miss: v1beta1 with both in the input", items: gateway + services + v1beta1("a", "a.example.com", oryRule)},
	}
	runTable(t, []string{"AF701", "AF702"}, cases)
}

// TestReferencesStrictAndWaived: strict makes an assumption an error, a waiver makes
// it info (under strict too), and the text the function says is kept behind the ID.
func TestReferencesStrictAndWaived(t *testing.T) {
	noAuth := "  rules:\n  - path: /a\n    methods: [GET]\n    noAuth: true"
	waived := replaceOnce(v2("a", "a.example.com", noAuth), "namespace: shop}", "namespace: shop, annotations: {apirule.krm.dev/waive: AF701}}")
	for _, tc := range []struct {
		name, spec, items string
		want              framework.Severity
		message           string
	}{
		{"a warning by default", "", services + v2("a", "a.example.com", noAuth), framework.Warning,
			`AF701 (low): Gateway kyma-system/kyma-gateway is not in the input; assumed it exists with an unknown domain. Add it to the input or set gateways["kyma-system/kyma-gateway"] (its domain) in the function config`},
		{"an error under strict", "{strict: true}", services + v2("a", "a.example.com", noAuth), framework.Error,
			`AF701 (low): Gateway kyma-system/kyma-gateway is not in the input; assumed it exists with an unknown domain. Add it to the input or set gateways["kyma-system/kyma-gateway"] (its domain) in the function config (strict: true; if this is intended, waive it with the annotation apirule.krm.dev/waive: "AF701")`},
		{"waived: info, also under strict", "{strict: true}", services + waived, framework.Info,
			`AF701 (low), waived by apirule.krm.dev/waive: Gateway kyma-system/kyma-gateway is not in the input; assumed it exists`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, results := process(t, tc.spec, tc.items)
			var got []*framework.Result
			for _, r := range results {
				if r.Tags["check"] == "AF701" {
					got = append(got, r)
				}
			}
			if assert.Len(t, got, 1) {
				assert.Equal(t, tc.want, got[0].Severity)
				assert.Contains(t, got[0].Message, tc.message)
			}
			assert.Equal(t, tc.want == framework.Error, results.ExitCode() != 0)
		})
	}
}

// TestReferencesOnFailedAPIRule: an APIRule that fails still reports what was
// assumed about it, since the assumption may be why (a short host needs the domain of
// a Gateway the function could not see).
func TestReferencesOnFailedAPIRule(t *testing.T) {
	noAuth := "  rules:\n  - path: /a\n    methods: [GET]\n    noAuth: true"
	got, errs := findings(t, "", services+v2("a", "a", noAuth))
	assert.NotEmpty(t, errs, "a short host without a known domain fails")
	assert.Equal(t, []finding{{"AF701", "shop/a", "spec.gateway"}}, got)
}
