package oathkeeperrules

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatchURL(t *testing.T) {
	cases := []struct {
		url   string
		fails string // "" when Oathkeeper compiles it
		match []string
		miss  []string
	}{
		{url: "<http|https>://a.example.com</.*>", match: []string{"https://a.example.com/x"}, miss: []string{"ftp://a.example.com/x", "https://aXexample.com/x"}},
		{url: "<http|https>://a.example.com</users/[0-9]+>", match: []string{"http://a.example.com/users/12"}, miss: []string{"http://a.example.com/users/"}},
		{url: "<http|https>://a.example.com</a<b>c>", match: []string{"http://a.example.com/a<b>c"}, miss: []string{"http://a.example.com/abc"}},
		{url: "<http|https>://a.example.com</a>b>", fails: `a ">" at byte 33 closes no "<"`},
		{url: "<http|https>://a.example.com</a<b>", fails: `a "<" is never closed by ">"`},
		{url: "<http|https>://a.example.com</a)(b>", fails: "the pattern </a)(b> does not compile"},
		{url: "<http|https>://a.example.com</a(?<n>)>", fails: ""},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			re, err := MatchURL(c.url)
			if c.fails != "" {
				if assert.Error(t, err) {
					assert.Contains(t, err.Error(), c.fails)
				}
				return
			}
			require.NoError(t, err)
			for _, u := range c.match {
				ok, err := re.MatchString(u)
				assert.NoError(t, err)
				assert.True(t, ok, u)
			}
			for _, u := range c.miss {
				ok, err := re.MatchString(u)
				assert.NoError(t, err)
				assert.False(t, ok, u)
			}
		})
	}
}

func TestHandlerConfig(t *testing.T) {
	cases := []struct {
		name, kind, handler, config string
		want                        []ConfigError
	}{
		{"jwt config", Authenticators, "jwt", `{"jwks_urls": ["https://i.example.com/jwks"], "required_scope": ["read"], "trusted_issuers": ["https://i.example.com"]}`, nil},
		{"no config", Authenticators, "noop", ``, nil},
		{"null config", Mutators, "header", `null`, nil},
		{"required keys may come from the global config", Mutators, "header", `{}`, nil},
		{"unknown handler", Authenticators, "allow", `{}`, []ConfigError{{UnknownHandler: true, Message: `Oathkeeper has no authenticator handler "allow" (it knows anonymous, bearer_token, cookie_session, jwt, noop, oauth2_client_credentials, oauth2_introspection, unauthorized)`}}},
		{"unknown key", Authenticators, "jwt", `{"requiredScope": ["read"]}`, []ConfigError{{Message: "additional properties 'requiredScope' not allowed"}}},
		{"wrong type", Mutators, "header", `{"headers": {"X-User": 1}}`, []ConfigError{{Path: ".headers.X-User", Message: "got number, want string"}}},
		{"not a uri", Authenticators, "jwt", `{"jwks_urls": ["not a uri"]}`, []ConfigError{{Path: ".jwks_urls[0]", Message: "'not a uri' is not valid uri: relative url"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, HandlerConfig(c.kind, c.handler, json.RawMessage(c.config)))
		})
	}
}
