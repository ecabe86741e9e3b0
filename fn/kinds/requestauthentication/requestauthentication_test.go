package requestauthentication

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

func TestNew(t *testing.T) {
	auths := []*apirule.JWTAuthentication{
		{Issuer: "https://a", JwksURI: "https://a/jwks", FromHeaders: []*apirule.FromHeader{nil, {Name: "x-token", Prefix: "Bearer "}}},
		{Issuer: "https://b", JwksURI: "https://b/jwks", FromParams: []string{"token"}},
	}
	got := yaml.NewRNode(object.ProtoNode(New(map[string]string{"app": "a"}, auths).ProtoReflect())).MustString()
	assert.Equal(t, `jwtRules:
- forwardOriginalToken: true
  fromHeaders:
  - name: x-token
    prefix: 'Bearer '
  issuer: https://a
  jwksUri: https://a/jwks
- forwardOriginalToken: true
  fromParams:
  - token
  issuer: https://b
  jwksUri: https://b/jwks
selector:
  matchLabels:
    app: a
`, got)
	assert.Nil(t, New(nil, auths).Selector, "no selector: namespace-wide")
}

func TestKey(t *testing.T) {
	auths := []*apirule.JWTAuthentication{{Issuer: "i1", JwksURI: "j1"}, {Issuer: "i2", JwksURI: "j2"}}
	tests := []struct {
		name     string
		selector map[string]string
		auths    []*apirule.JWTAuthentication
		want     string
	}{
		{"labels sorted, issuer:jwks pairs, namespace", map[string]string{"b": "2", "a": "1"}, auths, "a=1,b=2,:i1:j1i2:j2:ns"},
		{"no selector", nil, auths[:1], ":i1:j1:ns"},
		{"no authentications", map[string]string{"a": "1"}, nil, "a=1,::ns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Key("ns", tt.selector, tt.auths))
		})
	}
}
