package validation

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

func TestTargetOf(t *testing.T) {
	svc := func(name string, ns *string) *apirule.Service {
		return &apirule.Service{Name: ptr(name), Namespace: ns, Port: ptr(uint32(80))}
	}
	tests := []struct {
		name       string
		arNS       string
		spec, rule *apirule.Service
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
		})
	}
	assert.Equal(t, "a.x.svc.cluster.local", Target{Name: "a", Namespace: "x"}.Host())
}
