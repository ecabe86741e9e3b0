package validation

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// The JWT checks take the caller's list path; these tests use a v1beta1-style one.
const v1beta1Authentications = ".spec.rules[0].accessStrategies[0].config.authentications"

func TestJWTAuthentications(t *testing.T) {
	headers := func(names ...string) []*apirule.FromHeader {
		var hs []*apirule.FromHeader
		for _, n := range names {
			hs = append(hs, &apirule.FromHeader{Name: n})
		}
		return hs
	}
	tests := []struct {
		name  string
		auths []*apirule.JWTAuthentication
		want  []Failure
	}{
		{name: "valid", auths: []*apirule.JWTAuthentication{goodAuth, auth("plain-issuer", "file://jwks.json")}},
		{name: "null entry skipped", auths: []*apirule.JWTAuthentication{nil}},
		{
			name:  "issuer with colon must be a URI",
			auths: []*apirule.JWTAuthentication{auth("https://ex ample.com", "/jwks")},
			want:  []Failure{{v1beta1Authentications + "[0].issuer", `value is empty or not a valid uri err=parse "https://ex ample.com": invalid character " " in host name`}},
		},
		{
			name:  "empty values",
			auths: []*apirule.JWTAuthentication{auth("", "")},
			want: []Failure{
				{v1beta1Authentications + "[0].issuer", "value is empty or not a valid uri err=value is empty"},
				{v1beta1Authentications + "[0].jwksUri", "value is empty or not a valid uri err=value is empty"},
			},
		},
		{
			name: "params after headers",
			auths: []*apirule.JWTAuthentication{
				{Issuer: "i", JwksURI: "/k", FromHeaders: headers("a")},
				{Issuer: "j", JwksURI: "/k", FromParams: []string{"p"}},
			},
			want: []Failure{{v1beta1Authentications + "[1].fromParams", "mixture of multiple fromHeaders and fromParams is not supported"}},
		},
		{
			name: "headers after params",
			auths: []*apirule.JWTAuthentication{
				{Issuer: "i", JwksURI: "/k", FromParams: []string{"p"}},
				{Issuer: "j", JwksURI: "/k", FromHeaders: headers("a", "b")},
			},
			want: []Failure{
				{v1beta1Authentications + "[1].fromHeaders", "mixture of multiple fromHeaders and fromParams is not supported"},
				{v1beta1Authentications + "[1].fromHeaders", "multiple fromHeaders are not supported"},
			},
		},
		{
			name:  "both in one entry",
			auths: []*apirule.JWTAuthentication{{Issuer: "i", JwksURI: "/k", FromHeaders: headers("a"), FromParams: []string{"p"}}},
			want:  []Failure{{v1beta1Authentications + "[0].fromParams", "mixture of multiple fromHeaders and fromParams is not supported"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, JWTAuthentications(v1beta1Authentications, tt.auths))
		})
	}
}

func TestJWTAuthorizations(t *testing.T) {
	const path = ".spec.rules[2].accessStrategies[0].config.authorizations"
	got := JWTAuthorizations(path, []*apirule.JWTAuthorization{
		{},
		{RequiredScopes: []string{"a"}, Audiences: []string{"b"}},
		nil,
		{RequiredScopes: []string{}, Audiences: []string{"x", ""}},
	})
	assert.Equal(t, []Failure{
		{path + "[2]", "authorization is empty"},
		{path + "[3].requiredScopes", "value is empty"},
		{path + "[3].audiences", "audience value is empty"},
	}, got)
}

func TestDifferingJWTConfigs(t *testing.T) {
	at := func(path string, a *apirule.JWTAuthentication) LocatedAuthentication {
		return LocatedAuthentication{Path: path, Authentication: a}
	}
	withHeader := func(a *apirule.JWTAuthentication, name, prefix string) *apirule.JWTAuthentication {
		c := *a
		c.FromHeaders = []*apirule.FromHeader{{Name: name, Prefix: prefix}}
		return &c
	}
	tests := []struct {
		name  string
		auths []LocatedAuthentication
		want  []Failure
	}{
		{"identical", []LocatedAuthentication{at("a", goodAuth), at("b", auth(goodAuth.Issuer, goodAuth.JwksURI))}, nil},
		{"other issuer", []LocatedAuthentication{at("a", goodAuth), at("b", withHeader(auth("https://other", goodAuth.JwksURI), "h", ""))}, nil},
		{
			"different header prefix, reported against the first",
			[]LocatedAuthentication{at("a", withHeader(goodAuth, "h", "Bearer ")), at("b", withHeader(goodAuth, "h", "")), at("c", withHeader(goodAuth, "h", "Bearer "))},
			[]Failure{{"b", "multiple jwt configurations that differ for the same issuer"}},
		},
		{
			"issuer and jwksUri concatenated without separator",
			[]LocatedAuthentication{at("a", auth("ab", "c")), at("b", auth("a", "bc"))},
			[]Failure{{"b", "multiple jwt configurations that differ for the same issuer"}},
		},
		{"null entry skipped", []LocatedAuthentication{at("a", nil), at("b", goodAuth)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DifferingJWTConfigs(tt.auths))
		})
	}
}
