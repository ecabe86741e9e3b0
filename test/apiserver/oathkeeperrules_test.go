package apiserver

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ory/ladon/compiler"
	"github.com/ory/oathkeeper/spec"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apirule-krm/apirule-fn/fn/oathkeeperrules"
)

// The function checks Oathkeeper Rules at render time with hand-written code
// (fn/oathkeeperrules); these tests hold it to the upstream code it stands in for.

// TestMatchURLAgreesWithLadon: fn/oathkeeperrules.MatchURL accepts and refuses what
// ladon's compiler does, and the regexps it returns match the same URLs.
func TestMatchURLAgreesWithLadon(t *testing.T) {
	urls := []string{
		"<http|https>://a.example.com</headers>",
		"<http|https>://a.example.com</img/.*>",
		"<http|https>://a.example.com/plain/literal",
		"<http|https>://a.example.com</a(>",
		"<http|https>://a.example.com</a>/<b",
		"<http|https>://a.example.com</a>b>",
		"<http|https>://a.example.com</a<b>",
		"<http|https>://a.example.com</a<b>c>",
		"<http|https>://a.example.com</a)(b>",
		"<http|https>://a.example.com</(?<=x)y>",
		"<http|https>://a.example.com</(?U)a+>",
		"<http|https>://a.example.com</\\pL+>",
		"<http|https>://a.example.com</[[:alpha:]]+>",
		"<http|https>://a.example.com</\\Qa.b\\E>",
		"<http|https>://a.example.com</(?P<n>x)>",
		"<http|https>://a.example.com</\\x{41}>",
		"<http|https>://a.example.com</a{2,}>",
		"<http|https>://a.example.com</a{1001}>",
		"<http|https>://a.example.com</.*/{*}>",
		"<http|https>://a.example.com</(a|b>",
	}
	probes := []string{"https://a.example.com/headers", "http://a.example.com/img/x.png", "https://a.example.com/plain/literal",
		"http://a.example.com/a<b>c", "http://a.example.com/abc", "http://a.example.com/A", "http://a.example.com/aa", "https://a.example.com/a.b"}
	for _, url := range urls {
		t.Run(url, func(t *testing.T) {
			want, wantErr := compiler.CompileRegex(url, '<', '>')
			got, gotErr := oathkeeperrules.MatchURL(url)
			require.Equal(t, wantErr == nil, gotErr == nil, "ladon: %v, function: %v", wantErr, gotErr)
			if wantErr != nil {
				return
			}
			assert.Equal(t, want.String(), got.String())
			for _, p := range probes {
				w, _ := want.MatchString(p)
				g, _ := got.MatchString(p)
				assert.Equal(t, w, g, p)
			}
		})
	}
}

// TestEmbeddedHandlerSchemasAreOathkeepers: the schemas the function embeds are
// byte for byte those of the Oathkeeper module, so HandlerConfig validates with
// Oathkeeper's own schemas.
func TestEmbeddedHandlerSchemasAreOathkeepers(t *testing.T) {
	dir := filepath.Join("..", "..", "fn", "oathkeeperrules", "schemas")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := filepath.Base(f)
		upstream := "pipeline/" + name
		if name == "config.schema.json" {
			upstream = name
		}
		want, err := fs.ReadFile(spec.FS, upstream)
		require.NoError(t, err, name)
		got, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	// Every authenticator and mutator Oathkeeper has is embedded.
	pipeline, err := fs.Glob(spec.FS, "pipeline/*.json")
	require.NoError(t, err)
	for _, p := range pipeline {
		if name := filepath.Base(p); strings.HasPrefix(name, "authenticators.") || strings.HasPrefix(name, "mutators.") {
			assert.FileExists(t, filepath.Join(dir, name))
		}
	}
}

// TestHandlerConfigAgreesWithTheReference: HandlerConfig and the reference validator
// of the output tests give the same verdicts.
func TestHandlerConfigAgreesWithTheReference(t *testing.T) {
	schemas, err := newHandlerSchemas()
	require.NoError(t, err)
	cases := []struct{ kind, handler, config string }{
		{"authenticators", "jwt", `{"jwks_urls": ["https://k.example.com/jwks"], "trusted_issuers": ["https://i"]}`},
		{"authenticators", "jwt", `{"requiredScope": ["read"]}`},
		{"authenticators", "jwt", `{"jwks_urls": "https://k"}`},
		{"authenticators", "jwt", `{"jwks_urls": ["not a uri"]}`},
		{"authenticators", "jwt", `{"scope_strategy": "wildcard"}`},
		{"authenticators", "jwt", `{"scope_strategy": "everything"}`},
		{"authenticators", "noop", `{"x": 1}`},
		{"authenticators", "oauth2_introspection", `{"introspection_url": "https://i/introspect", "required_scope": ["a"]}`},
		{"authenticators", "oauth2_introspection", `{"introspection_url": "relative"}`},
		{"authenticators", "cookie_session", `{"check_session_url": "https://s/session", "only": ["sid"]}`},
		{"authenticators", "allow", ``},
		{"mutators", "header", `{"headers": {"X-A": "b"}}`},
		{"mutators", "header", `{"headers": {"X-A": 1}}`},
		{"mutators", "cookie", `{"cookies": {"a": "b"}}`},
		{"mutators", "id_token", `{"jwks_url": "file:///etc/keys.json", "ttl": "1m"}`},
		{"mutators", "hydrator", `{"api": {"url": "https://h/hydrate"}}`},
		{"mutators", "headers", `{}`},
	}
	for _, c := range cases {
		t.Run(c.kind+"/"+c.handler+"/"+c.config, func(t *testing.T) {
			var config any
			if c.config != "" {
				require.NoError(t, json.Unmarshal([]byte(c.config), &config))
			}
			want := schemas.validate(c.kind, c.handler, config)
			got := oathkeeperrules.HandlerConfig(c.kind, c.handler, json.RawMessage(c.config))
			assert.Equal(t, want == nil, got == nil, "reference: %v, function: %v", want, got)
		})
	}
}
