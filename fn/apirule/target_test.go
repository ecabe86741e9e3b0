package apirule

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

func ptr[T any](v T) *T { return &v }

// decodeV1beta1 decodes a v1beta1 APIRule "demo/httpbin" with the given spec (YAML).
func decodeV1beta1(t *testing.T, spec string) *V1beta1APIRule {
	t.Helper()
	var obj map[string]any
	require.NoError(t, yaml.Unmarshal([]byte("apiVersion: gateway.kyma-project.io/v1beta1\nkind: APIRule\nmetadata: {name: httpbin, namespace: demo}\nspec: "+spec), &obj))
	var ar V1beta1APIRule
	require.NoError(t, Decode(obj, &ar))
	return &ar
}

func TestTargetOf(t *testing.T) {
	svc := func(name string, ns *string) *Service {
		return &Service{Name: ptr(name), Namespace: ns, Port: ptr(uint32(80))}
	}
	tests := []struct {
		name       string
		arNS       string
		spec, rule *Service
		want       Target
		lookupNS   string
	}{
		{"spec service", "test", svc("a", nil), nil, Target{"a", "test", 80}, "test"},
		{"spec service namespace", "test", svc("a", ptr("x")), nil, Target{"a", "x", 80}, "x"},
		{"rule service wins", "test", svc("a", ptr("x")), svc("b", ptr("y")), Target{"b", "y", 80}, "y"},
		{"rule service inherits the spec namespace", "test", svc("a", ptr("x")), svc("b", nil), Target{"b", "x", 80}, "x"},
		{"rule service in the APIRule namespace", "test", svc("a", nil), svc("b", nil), Target{"b", "test", 80}, "test"},
		{"no service", "test", nil, nil, Target{"", "test", 0}, "test"},
		{"APIRule without namespace", "", svc("a", nil), nil, Target{"a", "", 80}, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TargetOf(tt.arNS, tt.spec, tt.rule)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.lookupNS, got.LookupNamespace())
			v2 := &V2APIRule{Metadata: Meta{Namespace: tt.arNS}, Spec: &V2Spec{Service: tt.spec}}
			assert.Equal(t, tt.want, v2.RuleTarget(&V2Rule{Service: tt.rule}), "v2 resolves alike")
		})
	}
	assert.Equal(t, "a.x.svc.cluster.local", Target{Name: "a", Namespace: "x"}.Host())
}

func TestV1beta1RuleTarget(t *testing.T) {
	tests := []struct {
		name, spec string
		want       Target
	}{
		{"spec service in the APIRule namespace", "{service: {name: s, port: 80}, rules: [{path: /}]}", Target{"s", "demo", 80}},
		{"rule service inherits the spec service namespace", "{service: {name: s, namespace: sns, port: 80}, rules: [{path: /, service: {name: r, port: 81}}]}", Target{"r", "sns", 81}},
		{"rule service namespace wins", "{service: {name: s, namespace: sns, port: 80}, rules: [{path: /, service: {name: r, namespace: rns, port: 81}}]}", Target{"r", "rns", 81}},
		{"rule service without spec service", "{rules: [{path: /, service: {name: r, port: 81}}]}", Target{"r", "demo", 81}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ar := decodeV1beta1(t, tt.spec)
			got := ar.RuleTarget(&ar.Spec.Rules[0])
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.Name+"."+tt.want.Namespace+".svc.cluster.local", got.Host())
		})
	}
}
