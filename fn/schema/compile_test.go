package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestEmbeddedSchemasCompile fails when an embedded CRD uses a schema keyword, format or CEL
// rule the package does not implement (compilation refuses them instead of skipping them).
func TestEmbeddedSchemasCompile(t *testing.T) {
	all, err := schemas()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"v1alpha1", "v1beta1", "v2alpha1", "v2"}, keys(all))
}

func keys(m map[string]*node) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCompileRefusesWhatItDoesNotImplement(t *testing.T) {
	testCases := map[string]struct {
		schema      string
		expectedErr string
	}{
		"unknown keyword": {
			schema:      `{type: object, properties: {a: {type: array, uniqueItems: true}}}`,
			expectedErr: `a: uniqueItems: schema keyword "uniqueItems" is not implemented`,
		},
		"unknown string format": {
			schema:      `{type: object, properties: {a: {type: string, format: date-time}}}`,
			expectedErr: `a: format "date-time" for type "string" is not implemented`,
		},
		"unknown CEL rule": {
			schema:      `{type: object, x-kubernetes-validations: [{rule: "self.a == self.b"}]}`,
			expectedErr: `<root>: x-kubernetes-validations: CEL rule "self.a == self.b" is not implemented`,
		},
		"CEL messageExpression": {
			schema:      `{type: string, x-kubernetes-validations: [{rule: "self.matches('a')", messageExpression: "'x'"}]}`,
			expectedErr: `<root>: x-kubernetes-validations: validation rule attribute "messageExpression" is not implemented`,
		},
		"CEL string escape it does not know": {
			schema:      `{type: string, x-kubernetes-validations: [{rule: "self.matches('\\d')"}]}`,
			expectedErr: `unsupported escape in CEL string`,
		},
		"CEL rule on a type it is not written for": {
			schema:      `{type: integer, x-kubernetes-validations: [{rule: "self.matches('a')"}]}`,
			expectedErr: `<root>: CEL rule "self.matches('a')" is written for type string, the schema has type "integer"`,
		},
		"pattern that is not RE2": {
			schema:      `{type: string, pattern: "(?!x)"}`,
			expectedErr: `<root>: pattern: error parsing regexp: invalid or unsupported Perl syntax: ` + "`(?!`",
		},
		"non-scalar enum": {
			schema:      `{type: object, enum: [{a: 1}]}`,
			expectedErr: `is not implemented`,
		},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			var s map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.schema), &s))
			_, err := compileNode(s, "")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.expectedErr)
		})
	}
}

// TestPatternsUnderRE2 pins how RE2 reads the CRD patterns where an ECMA-262 reader might
// expect otherwise. The API server uses RE2, so these are the semantics to reproduce.
func TestPatternsUnderRE2(t *testing.T) {
	all, err := schemas()
	require.NoError(t, err)
	spec := all["v1beta1"].properties["spec"]
	v2Path := all["v2"].properties["spec"].properties["rules"].items.properties["path"].pattern
	testCases := map[string]struct {
		pattern string
		matches map[string]bool
	}{
		// `[[a-zA-Z0-9]` is a class that includes '[' in both dialects: a host may end in '['.
		// The optional middle classes also let a host start with '-'.
		"v1beta1 host": {
			pattern: spec.properties["host"].pattern.String(),
			matches: map[string]bool{"httpbin": true, "a.example.com": true, "abc[": true, "a..b": false, "-ab": true},
		},
		// Anchored at the start only: anything may follow the first allowed character.
		"v1beta1 path": {
			pattern: spec.properties["rules"].items.properties["path"].pattern.String(),
			matches: map[string]bool{"/.*": true, "/a b#": true, "~/a": false, `\x`: true},
		},
		// `0-9-._~` is the range 0-9 then the literals '-', '.', '_', '~' under RE2 as under ECMA.
		"v2 path": {
			pattern: v2Path.String(),
			matches: map[string]bool{"/a-b._~": true, "/*": true, "/a/{**}": true, "/%2F": true, "/a,b": true, "/a/*": false, "/": true, "": false, "/a b": false, "/{*}x": false, "/a{*}": false},
		},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			n := &node{}
			require.NoError(t, n.compilePattern(tc.pattern))
			for in, want := range tc.matches {
				assert.Equal(t, want, n.pattern.MatchString(in), "%q", in)
			}
		})
	}
}
