package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// allKeys lists every config key with the struct it belongs to.
func allKeys() []field {
	var c Config
	c.Default()
	top := fields(reflect.TypeOf(c), reflect.ValueOf(c))
	return append(top, fields(reflect.TypeOf(CorsDefaults{}), reflect.ValueOf(*c.DefaultCorsPolicy))...)
}

// TestEveryKeyIsDocumented: a key added to the structs shows in --help with a text of
// its own and has a row in README's config table.
func TestEveryKeyIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	help := Help()
	var c Config
	for _, f := range fields(reflect.TypeOf(c), reflect.ValueOf(c)) {
		assert.NotEmpty(t, f.Tag.Get("help"), "config key %s has no help tag", f.key)
		assert.Contains(t, string(readme), "| `"+f.key+"` |", "README's config table has no row for %s", f.key)
	}
	for _, f := range allKeys() {
		assert.Regexp(t, `(?m)^ +`+f.key+` `, help, "--help lists %s", f.key)
	}
}

func TestSchemaCompilesAndListsEveryKey(t *testing.T) {
	_, err := compiledSpecSchema()
	require.NoError(t, err)
	var def struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema struct {
						Properties struct {
							Spec map[string]any `yaml:"spec"`
						} `yaml:"properties"`
					} `yaml:"openAPIV3Schema"`
				} `yaml:"schema"`
			} `yaml:"versions"`
		} `yaml:"spec"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(Schema()), &def))
	spec := def.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties.Spec
	props := spec["properties"].(map[string]any)
	assert.Len(t, props, len(allKeys())-3, "every top-level key, defaultCorsPolicy's inside it")
	assert.Equal(t, []any{"ory", "istio"}, props["jwtHandler"].(map[string]any)["enum"])
	assert.Equal(t, 1, props["maxItems"].(map[string]any)["minimum"])
	assert.Equal(t, false, spec["additionalProperties"])
}

// TestLoadChecksTheSchema: enums, minimums and patterns come from the struct tags;
// unset (zero) values mean the default and are not checked.
func TestLoadChecksTheSchema(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string
	}{
		{"zero values mean defaults", "{mode: '', maxItems: 0, jwtHandler: ''}", nil},
		{"minimum", "{maxItems: -1, maxDepth: 0}", []string{"spec.maxItems: Invalid value: -1: spec.maxItems in body should be greater than or equal to 1"}},
		{"enum", "{istioAPIVersion: v1alpha3}", []string{`spec.istioAPIVersion: Unsupported value: "v1alpha3": supported values: "v1", "v1beta1"`}},
		{"schema and code rules together", "{mode: dry, gateways: {x: example.com}}", []string{
			`spec.mode: Unsupported value: "dry": supported values: "render", "validate", "migrate"`,
			"spec.gateways.x: key must be <namespace>/<name>",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, errs := Load(yaml.MustParse("apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: x}\nspec: " + tt.spec))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
			if tt.want == nil {
				require.NotNil(t, c)
				assert.Equal(t, ModeRender, c.Mode)
			}
		})
	}
}

func TestHelpFitsAndStatesDefaultsAndEnums(t *testing.T) {
	help := Help()
	for _, line := range strings.Split(strings.TrimSuffix(help, "\n"), "\n") {
		assert.LessOrEqual(t, len(line), 100, line)
	}
	assert.Contains(t, help, "  mode                render | validate | migrate. ")
	assert.Contains(t, help, "Default: render.")
	assert.Contains(t, help, "    allowMethods      Default: GET POST PUT DELETE PATCH.\n")
}
