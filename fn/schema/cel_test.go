package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestEveryCELRuleIsImplemented walks the embedded CRDs as plain YAML, independently of the
// compiler, and checks that every x-kubernetes-validations rule outside status has a Go
// translation and made it into the compiled schema. A CRD update that adds a rule fails here.
func TestEveryCELRuleIsImplemented(t *testing.T) {
	all, err := schemas()
	require.NoError(t, err)
	total := 0
	for version, file := range sources {
		raw, err := crdFiles.ReadFile(file)
		require.NoError(t, err)
		var c crd
		require.NoError(t, yaml.Unmarshal(raw, &c))
		for _, v := range c.Spec.Versions {
			if v.Name != version {
				continue
			}
			props := v.Schema.OpenAPIV3Schema["properties"].(map[string]any)
			var texts []string
			collectRules(props["spec"], &texts)
			total += len(texts)
			for _, text := range texts {
				_, err := compileCEL(text)
				assert.NoError(t, err, "%s %s", file, version)
			}
			assert.Len(t, compiledRules(all[version]), len(texts), "%s %s: compiled rules", file, version)
		}
	}
	assert.Positive(t, total, "the walk found no CEL rule at all")
}

// collectRules appends the rule texts of every x-kubernetes-validations below s.
func collectRules(s any, texts *[]string) {
	switch s := s.(type) {
	case map[string]any:
		if rules, ok := s["x-kubernetes-validations"].([]any); ok {
			for _, r := range rules {
				*texts = append(*texts, r.(map[string]any)["rule"].(string))
			}
		}
		for k, v := range s {
			if k != "x-kubernetes-validations" {
				collectRules(v, texts)
			}
		}
	case []any:
		for _, v := range s {
			collectRules(v, texts)
		}
	}
}

func compiledRules(n *node) []rule {
	if n == nil {
		return nil
	}
	out := append([]rule(nil), n.rules...)
	for _, name := range n.names {
		out = append(out, compiledRules(n.properties[name])...)
	}
	out = append(out, compiledRules(n.items)...)
	return append(out, compiledRules(n.additional)...)
}

func TestCELRules(t *testing.T) {
	exactlyOne := handCoded[exactlyOneAccessStrategy]
	testCases := map[string]struct {
		rule     celFunc
		value    any
		expected bool
	}{
		"exactly one: noAuth":                              {exactlyOne, map[string]any{"noAuth": true}, true},
		"exactly one: jwt, noAuth false":                   {exactlyOne, map[string]any{"jwt": map[string]any{}, "noAuth": false}, true},
		"exactly one: extAuth":                             {exactlyOne, map[string]any{"extAuth": map[string]any{}}, true},
		"exactly one: none":                                {exactlyOne, map[string]any{"path": "/"}, false},
		"exactly one: noAuth false only":                   {exactlyOne, map[string]any{"noAuth": false}, false},
		"exactly one: jwt and extAuth":                     {exactlyOne, map[string]any{"jwt": map[string]any{}, "extAuth": map[string]any{}}, false},
		"exactly one: null jwt is absent":                  {exactlyOne, map[string]any{"jwt": nil, "noAuth": true}, true},
		"exactly one: noAuth and jwt":                      {exactlyOne, map[string]any{"jwt": map[string]any{}, "noAuth": true}, false},
		"matches: unanchored like cel-go":                  {mustCEL(t, `self.matches('b')`), "abc", true},
		"matches: anchored pattern":                        {mustCEL(t, `self.matches('^b$')`), "abc", false},
		"matches: CEL \\\\. is regexp \\., matching a dot": {mustCEL(t, `self.matches('^a\\.b$')`), "a.b", true},
		"matches: CEL \\\\. is regexp \\., not any char":   {mustCEL(t, `self.matches('^a\\.b$')`), "axb", false},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			assert.Equal(t, tc.expected, tc.rule.check(tc.value))
		})
	}
}

func mustCEL(t *testing.T, text string) celFunc {
	t.Helper()
	f, err := compileCEL(text)
	require.NoError(t, err)
	return f
}

func TestUnquoteCEL(t *testing.T) {
	testCases := map[string]struct {
		input, expected, expectedErr string
	}{
		"plain":             {input: `^[a-z]+$`, expected: `^[a-z]+$`},
		"escaped backslash": {input: `^\\*\\.x$`, expected: `^\*\.x$`},
		"escaped quotes":    {input: `'"`, expected: `'"`},
		"unknown escape":    {input: `\d`, expectedErr: "unsupported escape"},
		"trailing escape":   {input: `a\`, expectedErr: "unsupported escape"},
	}
	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			got, err := unquoteCEL(tc.input)
			if tc.expectedErr != "" {
				assert.ErrorContains(t, err, tc.expectedErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.expected, got)
		})
	}
}
