package migrate

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

func TestSamplePaths(t *testing.T) {
	assert.Equal(t, []string{"/", "/a", "/a/b/c"}, samplePaths("/*"))
	assert.Equal(t, []string{"/a/b", "/a/b/z", "/a/bz", "/a"}, samplePaths("/a/b"))
	assert.Equal(t, []string{"/p/x/y", "/p/", "/p/x/y/z", "/p/x/yz", "/p/x"}, samplePaths("/p/{**}"))
	assert.Equal(t, []string{"/p/x/q", "/p/x/q/z", "/p/x/qz", "/p/x"}, samplePaths("/p/{*}/q"))
}

func TestRequests(t *testing.T) {
	r := apirule.V2Rule{Path: "/a", Methods: []string{"GET"}, JWT: &apirule.JWT{
		Authentications: []*apirule.JWTAuthentication{{Issuer: "https://i", JwksURI: "https://i/k", FromHeaders: []*apirule.FromHeader{{Name: "X-T"}}}},
		Authorizations:  []*apirule.JWTAuthorization{{RequiredScopes: []string{"read"}, Audiences: []string{"app"}}},
	}}
	reqs := Requests("h.example.org", r)
	// 4 paths x 2 methods (GET and one more) x 5 tokens (none; with all; without
	// scopes; without audiences; another issuer).
	assert.Len(t, reqs, 4*2*5)
	var tokens []string
	for _, q := range reqs[:5] {
		if q.Token == nil {
			tokens = append(tokens, "none")
			continue
		}
		assert.Equal(t, "X-T", q.Token.Header, "the token goes where the rule reads it")
		tokens = append(tokens, q.Token.String())
	}
	assert.Equal(t, []string{"none", "a token of https://i with scopes read for app", "a token of https://i for app",
		"a token of https://i with scopes read", "a token of https://other-issuer.invalid with scopes read for app"}, tokens)
	assert.Equal(t, "POST", reqs[5].Method, "the first method the rule does not list")
}

func TestCause(t *testing.T) {
	r := apirule.V2Rule{Path: "/a", Methods: []string{"GET"}}
	get := access.Request{Method: "GET", Path: "/a"}
	d := func(o access.Outcome) access.Decision { return access.Decision{Outcome: o} }
	for _, c := range []struct {
		req           access.Request
		before, after access.Outcome
		want          string
	}{
		{access.Request{Method: "POST", Path: "/a"}, access.Allowed, access.NotRouted, "v2 routes only the rule's methods"},
		{get, access.NotRouted, access.Allowed, "the old objects did not route this"},
		{get, access.Allowed, access.NotRouted, "the v2 path matches less"},
		{get, access.Denied, access.Allowed, "the old AuthorizationPolicy never matched"},
		{get, access.Allowed, access.Denied, "a token-less policy let this through before"},
		{access.Request{Method: "GET", Path: "/a", Token: &access.Token{Issuer: "x"}}, access.Allowed, access.Unauthenticated, "v2 asks more of the token"},
	} {
		assert.Contains(t, cause(r, c.req, d(c.before), d(c.after)), c.want)
	}
}
