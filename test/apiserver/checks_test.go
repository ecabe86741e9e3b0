package apiserver

import (
	"strings"
	"testing"

	"github.com/ory/ladon/compiler"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apirule-krm/apirule-fn/test/apiserver/crdvalidate"
)

// The tests in this file show that the checks the output and invariant tests rely on reject
// what they must, so a green run over the function's output means something.

func TestValidatorsRejectBrokenObjects(t *testing.T) {
	set := outputSet(t)
	const vs = `
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: httpbin-1, namespace: demo, labels: {apirule.gateway.kyma-project.io/name: httpbin}}
spec:
  hosts: [httpbin.example.com]
  gateways: [kyma-system/kyma-gateway]
  http:
  - match: [{uri: {regex: ^/headers$}, method: {regex: ^(GET)$}}]
    route: [{destination: {host: httpbin.demo.svc.cluster.local, port: {number: 8000}}, weight: 100}]
    timeout: 180s
`
	testCases := map[string]struct {
		input       string
		expectedErr string // "" for a valid object
	}{
		"valid VirtualService": {input: vs},
		"unknown field":        {input: vs + "    timeoutt: 10s\n", expectedErr: "spec.http[0].timeoutt: Invalid value: null: unknown field"},
		"CEL: duration of 0s": {input: replace(vs, "timeout: 180s", "timeout: 0s"),
			expectedErr: "must be a valid duration greater than 1ms"},
		"type: quoted port": {input: replace(vs, "number: 8000", `number: "8000"`), expectedErr: "must be of type integer"},
		"metadata: name":    {input: replace(vs, "name: httpbin-1,", "name: HttpBin_1,"), expectedErr: "metadata.name: Invalid value"},
		"metadata: label value": {input: replace(vs, "name: httpbin}", "name: a b}"),
			expectedErr: "metadata.labels: Invalid value"},
		"enum: lower-case action": {input: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: ap, namespace: demo}
spec: {action: allow}
`, expectedErr: `spec.action: Unsupported value: "allow"`},
		"CEL: jwksUri scheme": {input: `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ra, namespace: demo}
spec: {jwtRules: [{issuer: i, jwksUri: "ftp://keys.example.com"}]}
`, expectedErr: "url must have scheme http:// or https://"},
		"Rule: match.url missing": {input: `
apiVersion: oathkeeper.ory.sh/v1alpha1
kind: Rule
metadata: {name: r, namespace: demo}
spec: {match: {methods: [GET]}, upstream: {url: "http://a.demo.svc.cluster.local:80"}}
`, expectedErr: "spec.match.url: Required value"},
		"Rule: authorizer typo": {input: `
apiVersion: oathkeeper.ory.sh/v1alpha1
kind: Rule
metadata: {name: r, namespace: demo}
spec: {match: {methods: [GET], url: "<http|https>://a</x>"}, authorizer: {handler: allow, cfg: {}}}
`, expectedErr: "spec.authorizer.cfg: Invalid value: null: unknown field"},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			o, err := crdvalidate.DecodeJSON([]byte(tc.input))
			require.NoError(t, err)
			errs, err := set.Validate(o)
			require.NoError(t, err)
			if tc.expectedErr == "" {
				assert.Empty(t, errs)
				return
			}
			assert.ErrorContains(t, errs.ToAggregate(), tc.expectedErr)
		})
	}
}

// replace replaces the one occurrence of old, which must exist.
func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("replace: " + old + " not found")
	}
	return strings.Replace(s, old, new, 1)
}

func TestHandlerSchemas(t *testing.T) {
	schemas, err := newHandlerSchemas()
	require.NoError(t, err)
	testCases := map[string]struct {
		kind, handler string
		config        any
		expectedErr   string
	}{
		"jwt config":                     {kind: "authenticators", handler: "jwt", config: map[string]any{"jwks_urls": []any{"https://k.example.com/jwks"}, "trusted_issuers": []any{"https://i"}}},
		"jwt without jwks_urls (global)": {kind: "authenticators", handler: "jwt", config: map[string]any{"trusted_issuers": []any{"https://i"}}},
		"no config":                      {kind: "authenticators", handler: "noop"},
		"jwt typo":                       {kind: "authenticators", handler: "jwt", config: map[string]any{"trusted_issuer": []any{"https://i"}}, expectedErr: "additional properties 'trusted_issuer' not allowed"},
		"jwt jwks_urls as a string":      {kind: "authenticators", handler: "jwt", config: map[string]any{"jwks_urls": "https://k"}, expectedErr: "got string, want array"},
		"noop takes no config":           {kind: "authenticators", handler: "noop", config: map[string]any{"x": 1}, expectedErr: "additional properties 'x' not allowed"},
		"header mutator":                 {kind: "mutators", handler: "header", config: map[string]any{"headers": map[string]any{"X-A": "b"}}},
		"header mutator, number value":   {kind: "mutators", handler: "header", config: map[string]any{"headers": map[string]any{"X-A": 1}}, expectedErr: "want string"},
		"allow is no authenticator":      {kind: "authenticators", handler: "allow", expectedErr: `Oathkeeper has no authenticators handler "allow"`},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			err := schemas.validate(tc.kind, tc.handler, tc.config)
			if tc.expectedErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.expectedErr)
		})
	}
}

func TestLadonRejectsBrokenMatchURLs(t *testing.T) {
	for url, valid := range map[string]bool{
		"<http|https>://a.example.com</headers>":     true,
		"<http|https>://a.example.com</img/.*>":      true,
		"<http|https>://a.example.com</a(>":          false,
		"<http|https>://a.example.com</a>/<b":        false,
		"<http|https>://a.example.com</(?<=x)y>":     false,
		"<http|https>://a.example.com/plain/literal": true,
	} {
		_, err := compiler.CompileRegex(url, '<', '>')
		assert.Equal(t, valid, err == nil, "%s: %v", url, err)
	}
}

func TestPathMatches(t *testing.T) {
	testCases := []struct {
		pattern, path string
		expected      bool
	}{
		{"/headers", "/headers", true},
		{"/headers", "/headers/", false},
		{"/*", "/anything/below", true},
		{"/img/*", "/img", false},
		{"*.png", "/a/b.png", true},
		{"*", "/x", true},
		{"/{**}", "/a/b", true},
		{"/a/{*}/c", "/a/b/c", true},
		{"/a/{*}/c", "/a/b/d/c", false},
		{"/a.b", "/axb", false},
	}
	for _, tc := range testCases {
		assert.Equal(t, tc.expected, pathMatches(tc.pattern, tc.path), "%s ~ %s", tc.pattern, tc.path)
	}
	op := operation{methods: []string{"GET"}, paths: []string{"/{**}"}, notPaths: []string{"/admin"}}
	assert.True(t, op.matches("a.example.com", "GET", "/x"))
	assert.False(t, op.matches("a.example.com", "GET", "/admin"), "notPaths excludes")
	assert.False(t, op.matches("a.example.com", "POST", "/x"), "methods restrict")
	op.hosts = []string{"A.Example.com"}
	assert.True(t, op.matches("a.example.com", "GET", "/x"), "hosts compare case-insensitively")
	assert.False(t, op.matches("b.example.com", "GET", "/x"))
}

func TestSamplePath(t *testing.T) {
	for path, expected := range map[string]string{
		"/headers":        "/headers",
		"/.*":             "/sample",
		"/*":              "/sample",
		"/a/{*}/b/{**}":   "/a/a/b/a/b",
		"/img/(png|jpeg)": "",
	} {
		assert.Equal(t, expected, samplePath(path), path)
	}
}

func TestMissingRuleException(t *testing.T) {
	a := &apiRule{version: "v1beta1", rules: []apiRuleRule{
		{index: 0, path: "/a", methods: []string{"GET"}, handlers: []string{"noop"}},
		{index: 1, path: "/a", methods: []string{"POST"}, handlers: []string{"allow"}},
		{index: 2, path: "/b", methods: []string{"GET"}, handlers: []string{"anonymous"}},
	}}
	istio := view{run: run{config: obj{"spec": map[string]any{"jwtHandler": "istio"}}}}
	ory := view{run: run{config: obj{"spec": map[string]any{}}}}
	testCases := map[string]struct {
		v            view
		path, method string
		expectedRule int
		documented   bool
	}{
		"same path, later rule":               {ory, "/a", "POST", 1, true},
		"first rule of its path":              {ory, "/a", "GET", 0, false},
		"anonymous under the Istio handler":   {istio, "/b", "GET", 2, true},
		"anonymous under the Oathkeeper one":  {ory, "/b", "GET", 2, false},
		"a method no rule of the path serves": {istio, "/b", "PUT", -1, false},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			i, why := tc.v.missingRuleException(a, tc.path, tc.method)
			assert.Equal(t, tc.expectedRule, i)
			assert.Equal(t, tc.documented, why != "", why)
		})
	}
}
