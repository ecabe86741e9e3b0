package istiodrules

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRules: each check accepts what istiod accepts (the near misses) and refuses
// what it refuses, with a message that says why.
func TestRules(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		fails string // "" when the value is accepted
	}{
		{"header value: variable", HeaderValue("%REQ(:AUTHORITY)%"), ""},
		{"header value: variable with array args", HeaderValue(`%START_TIME(["%s"])%`), ""},
		{"header value: escaped percent", HeaderValue("100%%"), ""},
		{"header value: tab", HeaderValue("a\tb"), ""},
		{"header value: lone percent", HeaderValue("100%"), "un-escaped % at the end"},
		{"header value: url encoding", HeaderValue("a%20b"), "not terminated"},
		{"header value: text after args", HeaderValue("%REQ(x)y%"), `expected "%"`},
		{"header value: newline", HeaderValue("a\nb"), "control character"},
		{"header value: DEL", HeaderValue("a\x7fb"), "control character"},
		{"header name: authority", HeaderName(":authority"), ""},
		{"header name: Host", HeaderName("Host"), ""},
		{"header name: pseudo", HeaderName(":path"), "pseudo-header"},
		{"header name: empty", HeaderName(""), "empty"},
		{"header name: CR", HeaderName("a\rb"), "NUL, CR or LF"},
		{"authority once", AuthorityOnce([]string{"host", "X-A"}), ""},
		{"authority twice", AuthorityOnce([]string{"HOST", ":Authority"}), "more than once"},
		{"cors method", CORSMethod("PATCH"), ""},
		{"cors method: wildcard", CORSMethod("*"), ""},
		{"cors method: lower case", CORSMethod("patch"), "not a method"},
		{"cors header: token", CORSHeaderName("X-Custom_1"), ""},
		{"cors header: wildcard", CORSHeaderName("*"), ""},
		{"cors header: comma without space (istiod's range +-. lets it through)", CORSHeaderName("a,b"), ""},
		{"cors header: comma and space", CORSHeaderName("a, b"), "own entry"},
		{"cors header: empty", CORSHeaderName(""), "empty"},
		{"cors origin: regex", CORSOrigin("regex", ".*"), ""},
		{"cors origin: empty exact", CORSOrigin("exact", ""), "empty CORS origin"},
		{"cors origin: long regex", CORSOrigin("regex", strings.Repeat("a", MaxRegexLen+1)), "1025 bytes"},
		{"cors origin: regex at the limit", CORSOrigin("regex", strings.Repeat("a", MaxRegexLen)), ""},
		{"max age: seconds", CORSMaxAge(90 * time.Second), ""},
		{"max age: sub-second", CORSMaxAge(1500 * time.Millisecond), "sub-second"},
		{"max age: below 1ms", CORSMaxAge(time.Microsecond), "minimum of 1ms"},
		{"host: wildcard", Host("*.example.com"), ""},
		{"host: wildcard prefix", Host("*-api.example.com"), ""},
		{"host: absolute", Host("a.example.com."), ""},
		{"host: IP", Host("10.0.0.1"), ""},
		{"host: numeric label inside", Host("1.2.example.com"), ""},
		{"host: underscore", Host("a_b.example.com"), `label "a_b"`},
		{"host: wildcard inside", Host("a.*.example.com"), `label "*"`},
		{"host: numeric tld", Host("a.b.123"), "all-numeric"},
		{"host: long label", Host(strings.Repeat("a", 64) + ".com"), "at most 63 bytes"},
		{"host: long name", Host(strings.Repeat("a.", 128) + "com"), "longer than 255"},
		{"destination", DestinationHost("httpbin.demo.svc.cluster.local"), ""},
		{"destination: wildcard", DestinationHost("*"), "wildcard destination"},
		{"gateway", Gateway("kyma-system/kyma-gateway"), ""},
		{"gateway: legacy", Gateway("kyma-gateway.kyma-system.svc.cluster.local"), ""},
		{"gateway: underscore", Gateway("kyma_system/gw"), `namespace "kyma_system"`},
		{"gateway: legacy underscore", Gateway("kyma_gateway.kyma-system.svc.cluster.local"), `label "kyma_gateway"`},
		{"distinct hosts", distinct("a.example.com", "b.example.com"), ""},
		{"distinct hosts: wildcard covers", distinct("*.example.com", "a.example.com"), "overlap"},
		{"distinct hosts: twice", distinct("a.example.com", "a.example.com"), "overlap"},
		{"policy path: templates", PolicyPath("/api/{*}/x/{**}"), ""},
		{"policy path: plain star", PolicyPath("/api/*"), ""},
		{"policy path: braces", PolicyPath("/users/{id}"), "'{' or '}'"},
		{"policy path: any not last", PolicyPath("/{**}/{*}"), "after {**}"},
		{"policy path: empty segment", PolicyPath("/api//{*}"), "empty segment"},
		{"policy path: star with template", PolicyPath("/a*/{*}"), `segment "a*"`},
		{"selector", Selector(map[string]string{"app": "a"}), ""},
		{"selector: wildcard value", Selector(map[string]string{"app": "a*"}), `"app=a*"`},
		{"selector: empty key", Selector(map[string]string{"": "a"}), `"=a"`},
		{"provider", Provider("oauth2-proxy"), ""},
		{"provider: empty", Provider(""), "without a provider name"},
		{"jwks: https", JWKSURI("https://i.example.com/jwks"), ""},
		{"jwks: upper-case scheme", JWKSURI("HTTP://i.example.com/jwks"), ""},
		{"jwks: empty", JWKSURI(""), ""},
		{"jwks: javascript", JWKSURI("javascript:alert(1)"), `scheme "javascript"`},
		{"jwks: bare path", JWKSURI("/jwks"), `scheme ""`},
		{"jwks: unparsable", JWKSURI("https://a b/%zz"), "not a URL"},
		{"issuer: none", Issuer("", ""), "neither an issuer nor a jwksUri"},
		{"token location: empty", TokenLocation("fromParams entry", ""), "fromParams entry is empty"},
		{"value: empty", Value("audience", ""), "audience is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.fails == "" {
				assert.NoError(t, c.err)
			} else if assert.Error(t, c.err) {
				assert.Contains(t, c.err.Error(), c.fails)
			}
		})
	}
}

func distinct(hosts ...string) error {
	_, err := DistinctHosts(hosts)
	return err
}

// TestHostsMatch: the relation is symmetric and a wildcard matches the names (and
// the narrower wildcards) its suffix ends.
func TestHostsMatch(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"a.example.com", "a.example.com", true},
		{"a.example.com", "b.example.com", false},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "example.com", false},
		{"*", "a.example.com", true},
		{"*.example.com", "*.a.example.com", true},
		{"*.a.example.com", "*.b.example.com", false},
		{"*", "*", true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, HostsMatch(c.a, c.b), "%s ~ %s", c.a, c.b)
		assert.Equal(t, c.want, HostsMatch(c.b, c.a), "%s ~ %s", c.b, c.a)
	}
}
