package apirule

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestV1beta1RuleStrategies(t *testing.T) {
	tests := []struct {
		strategies          string
		jwt, oathkeeper, na bool
	}{
		{"[{handler: allow}]", false, false, false},
		{"[{handler: no_auth}]", false, false, true},
		{"[{handler: jwt}]", true, true, false},
		{"[{handler: noop}]", false, true, false},
		{"[{handler: allow}, {handler: oauth2_introspection}]", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.strategies, func(t *testing.T) {
			ar := decodeV1beta1(t, "{rules: [{path: /, accessStrategies: "+tt.strategies+"}]}")
			r := &ar.Spec.Rules[0]
			assert.Equal(t, tt.jwt, r.JWTSecured())
			assert.Equal(t, tt.oathkeeper, r.SecuredByOathkeeper())
			assert.Equal(t, tt.na, r.HasStrategy(StrategyNoAuth))
		})
	}
}

func TestMutatorValues(t *testing.T) {
	ar := decodeV1beta1(t, `{rules: [{path: /, mutators: [{handler: cookie, config: {cookies: {a: "1"}}}, {handler: cookie, config: {cookies: {b: "2"}}}, {handler: header, config: {headers: {h: v}}}]}]}`)
	assert.Equal(t, map[string]string{"a": "1"}, ar.Spec.Rules[0].MutatorValues(MutatorCookie), "the first cookie mutator")
	assert.Equal(t, map[string]string{"h": "v"}, ar.Spec.Rules[0].MutatorValues(MutatorHeader))
	ar = decodeV1beta1(t, `{rules: [{path: /, mutators: [{handler: cookie, config: {cookies: {a: "1"}}}]}]}`)
	assert.Nil(t, ar.Spec.Rules[0].MutatorValues(MutatorHeader))
}

func TestHasRawConfig(t *testing.T) {
	for cfg, want := range map[string]bool{"": false, "null": false, " null ": false, "{}": true, `{"a":1}`: true} {
		h := &Handler{Config: []byte(cfg)}
		assert.Equal(t, want, h.HasRawConfig(), cfg)
	}
}
