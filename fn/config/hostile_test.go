package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestLoadRefusesAmbiguousYAML: the config is read as strictly as an APIRule, at the
// default limits, because a misread security setting is as bad as a misread rule.
func TestLoadRefusesAmbiguousYAML(t *testing.T) {
	const typed = "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: x}\n"
	const cmap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	deep := strings.Repeat("{a: ", DefaultMaxDepth) + "1" + strings.Repeat("}", DefaultMaxDepth)
	tests := []struct {
		name, in string
		want     string // "path: message substring"
	}{
		{"scalar config", "just text", ": functionConfig must be a mapping (a Kubernetes object), found a scalar"},
		{"list config", "[a, b]", ": functionConfig must be a mapping (a Kubernetes object), found a list"},
		{"spec a list", typed + "spec: [a]", "spec: must be a mapping"},
		{"data a string", cmap + "data: x", "data: must be a mapping"},
		{"duplicate key", typed + "spec: {strict: true, strict: false}", `spec.strict: duplicate key "strict"`},
		{"duplicate kind", typed + "kind: ConfigMap\n", `kind: duplicate key "kind"`},
		{"merge key", typed + "spec:\n  <<: {strict: true}", "spec: YAML merge keys (<<) are not allowed"},
		{"anchor", typed + "spec: {gateways: &g {a/b: x}}", "spec.gateways: YAML anchors (&g) are not allowed"},
		{"custom tag", typed + "spec: {strict: !!binary dHJ1ZQ==}", "spec.strict: YAML tag !!binary is not allowed"},
		{"YAML 1.1 boolean", typed + "spec: {strict: yes}", "spec.strict: ambiguous value yes"},
		{"too deep", typed + "spec: {gateways: " + deep + "}", "nesting deeper than 64 levels"},
		{"scalar too long", typed + "spec: {defaultDomain: " + strings.Repeat("x", DefaultMaxScalarBytes+1) + "}", "spec.defaultDomain: value longer than 1048576 bytes"},
		{"duplicate key in a ConfigMap value", cmap + "data: {serviceSelectors: '{\"demo/a\": {app: a, app: b}}'}", `data.serviceSelectors.demo/a.app: duplicate key "app"`},
		{"alias in a ConfigMap value", cmap + "data: {serviceSelectors: '{\"demo/a\": &s {app: a}, \"demo/b\": *s}'}", "data.serviceSelectors.demo/a: YAML anchors (&s) are not allowed"},
		{"control characters in an unknown key", typed + "spec: {\"x\\e[2J\": 1}", `unknown key "x\x1b[2J"`},
		{"control characters in an unknown kind", "apiVersion: v1\nkind: \"Evil\\e[2J\"\n", `unknown functionConfig kind v1 Evil\x1b[2J`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, errs := Load(yaml.MustParse(tt.in))
			require.Nil(t, c)
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Path+": "+errs[0].Message, tt.want)
		})
	}
}
