package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/config"
)

// configKeys returns the config keys of a struct type by reflection: the json names
// of its fields, embedded structs flattened, as fn/config decodes them.
func configKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			keys = append(keys, configKeys(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	sort.Strings(keys)
	return keys
}

var (
	topKeys  = configKeys(reflect.TypeOf(config.Config{}))
	corsKeys = configKeys(reflect.TypeOf(config.CorsDefaults{}))
)

func TestConfigKeysFound(t *testing.T) {
	// Guards the reflection above: a broken walk would make the tests below vacuous.
	assert.Contains(t, topKeys, "defaultDomain")
	assert.Contains(t, topKeys, "maxItems", "keys of the embedded Limits")
	assert.GreaterOrEqual(t, len(topKeys), 17)
	assert.Equal(t, []string{"allowHeaders", "allowMethods", "allowOrigins"}, corsKeys)
}

func help(t *testing.T, arg string) string {
	t.Helper()
	stdout, stderr, code := runFn(nil, arg)
	require.Equal(t, 0, code)
	require.Empty(t, stderr)
	return string(stdout)
}

func TestHelp(t *testing.T) {
	text := help(t, "--help")
	assert.Equal(t, text, help(t, "-h"))
	assert.Equal(t, text, help(t, "help"))
	for _, mode := range []string{"ResourceList on stdin", "apirule-fn CONFIG.yaml [FILE...]", "plain multi-document YAML on stdin",
		"--schema", "--version", "--enable-exec", "kpt fn render --allow-exec", config.APIVersion, config.Kind, "ConfigMap"} {
		assert.Contains(t, text, mode)
	}
	for _, k := range append(append([]string{}, topKeys...), corsKeys...) {
		assert.Regexp(t, `\b`+regexp.QuoteMeta(k)+`\b`, text, "--help does not mention config key %s", k)
	}
	for _, line := range strings.Split(text, "\n") {
		assert.LessOrEqual(t, len(line), 100, "help line too long: %q", line)
	}
}

// keySection is the help text of one config key: its line and the indented lines
// that follow it.
func keySection(t *testing.T, text, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(key) + ` +.*\n(?: {4,}.*\n)*`).FindString(text)
	require.NotEmpty(t, m, "no help entry for config key %s", key)
	return m
}

// Every default that fn/config applies is stated in the key's help entry.
func TestHelpStatesDefaults(t *testing.T) {
	text := help(t, "--help")
	c := &config.Config{}
	c.Default()
	for key, v := range defaults(t, c) {
		section := keySection(t, text, key)
		switch v := v.(type) {
		case map[string]any: // defaultCorsPolicy: every listed value
			for _, list := range v {
				for _, item := range list.([]any) {
					assert.Contains(t, section, fmt.Sprint(item), "help of %s", key)
				}
			}
		default:
			assert.Contains(t, section, fmt.Sprint(v), "help of %s", key)
		}
	}
	assert.Contains(t, keySection(t, text, "strict"), "Default: false")
}

// defaults maps each config key that has a non-empty default to that default, as
// JSON values.
func defaults(t *testing.T, c *config.Config) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	require.Contains(t, m, "oathkeeperProxy")
	return m
}

func TestVersion(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "v1.2.3-test"
	for _, arg := range []string{"--version", "version"} {
		stdout, stderr, code := runFn(nil, arg)
		assert.Equal(t, 0, code)
		assert.Empty(t, stderr)
		assert.Equal(t, "apirule-fn v1.2.3-test\n", string(stdout))
	}
}

func TestSchema(t *testing.T) {
	stdout, stderr, code := runFn(nil, "--schema")
	require.Equal(t, 0, code)
	require.Empty(t, stderr)
	var def struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			Group string `yaml:"group"`
			Names struct {
				Kind string `yaml:"kind"`
			} `yaml:"names"`
			Versions []struct {
				Name   string `yaml:"name"`
				Schema struct {
					OpenAPIV3Schema struct {
						Properties struct {
							Spec property `yaml:"spec"`
						} `yaml:"properties"`
					} `yaml:"openAPIV3Schema"`
				} `yaml:"schema"`
			} `yaml:"versions"`
		} `yaml:"spec"`
	}
	require.NoError(t, yaml.Unmarshal(stdout, &def))
	assert.Equal(t, "config.kubernetes.io/v1alpha1", def.APIVersion)
	assert.Equal(t, "KRMFunctionDefinition", def.Kind)
	assert.Equal(t, config.Group, def.Spec.Group)
	assert.Equal(t, config.Kind, def.Spec.Names.Kind)
	require.Len(t, def.Spec.Versions, 1)
	assert.Equal(t, config.APIVersion, config.Group+"/"+def.Spec.Versions[0].Name)

	spec := def.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties.Spec
	assert.Equal(t, topKeys, sortedKeys(spec.Properties), "schema keys vs fn/config")
	assert.Equal(t, corsKeys, sortedKeys(spec.Properties["defaultCorsPolicy"].Properties), "defaultCorsPolicy keys vs fn/config")

	// Every default fn/config applies is the schema's default, and vice versa.
	c := &config.Config{}
	c.Default()
	want := defaults(t, c)
	cors := want["defaultCorsPolicy"].(map[string]any)
	delete(want, "defaultCorsPolicy")
	got := map[string]any{}
	for k, p := range spec.Properties {
		if p.Default != nil && k != "defaultCorsPolicy" && p.Default != false {
			got[k] = jsonValue(t, p.Default)
		}
	}
	assert.Equal(t, want, got, "schema defaults vs config.Default()")
	for k, p := range spec.Properties["defaultCorsPolicy"].Properties {
		assert.Equal(t, cors[k], jsonValue(t, p.Default), "schema default of defaultCorsPolicy.%s", k)
	}
}

type property struct {
	Properties map[string]property `yaml:"properties"`
	Default    any                 `yaml:"default"`
}

func sortedKeys(m map[string]property) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonValue normalises a YAML-decoded value to its JSON form (numbers as json.Number).
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&out))
	return out
}

// kustomize and kpt show a function's stderr as it is, so every message must be
// whole lines: prefixed, non-empty, each ending with a newline.
func TestStderrLines(t *testing.T) {
	badConfig := `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
functionConfig:
  apiVersion: apirule.krm.dev/v1alpha1
  kind: APIRuleTransformer
  metadata: {name: c}
  spec: {mode: bogus, nope: 1}
`
	badAPIRule := `apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: a, namespace: ns}
spec: {hosts: [a.example.com], gateway: kyma-system/kyma-gateway, rules: []}
`
	cases := []struct {
		name  string
		args  []string
		env   string
		stdin string
		code  int
	}{
		{name: "unknown flag", args: []string{"--bogus"}, code: 2},
		{name: "bad limit variable", env: "many", code: 2},
		{name: "missing file", args: []string{"/nonexistent/config.yaml"}, code: 1},
		{name: "not YAML", stdin: "a: [\n", code: 1},
		{name: "invalid config", stdin: badConfig, code: 1},
		{name: "invalid APIRule", stdin: badAPIRule, code: 1},
		{name: "standalone reports results", args: []string{"CONFIG"}, stdin: badAPIRule + "---\n" + strings.ReplaceAll(badAPIRule, "rules: []", "rules: [{path: /x, methods: [GET], noAuth: true}]"), code: 1},
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"), 0o644))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(MaxInputEnv, c.env)
			for i, a := range c.args {
				if a == "CONFIG" {
					c.args[i] = cfg
				}
			}
			_, stderr, code := runFn([]byte(c.stdin), c.args...)
			assert.Equal(t, c.code, code, "stderr: %s", stderr)
			s := string(stderr)
			require.NotEmpty(t, s)
			assert.True(t, strings.HasSuffix(s, "\n"), "stderr does not end with a newline: %q", s)
			for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
				assert.True(t, strings.HasPrefix(line, "apirule-fn: "), "stderr line %q", line)
			}
		})
	}
}

// The reader counts items before parsing, under its limit; the environment raises
// or lowers it, the config only lowers it.
func TestItemLimitFromTheEnvironment(t *testing.T) {
	three := "a: 1\n---\nb: 2\n---\nc: 3\n"
	t.Setenv(MaxItemsEnv, "2")
	stdout, stderr, code := runFn([]byte(three))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "apirule-fn: input too large: 3 items exceed maxItems 2 (raise the limit with the environment variable APIRULE_FN_MAX_ITEMS)\n", string(stderr))

	t.Setenv(MaxItemsEnv, "3")
	_, stderr, code = runFn([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"))
	assert.Equal(t, 0, code, "%s", stderr)

	if !testing.Short() {
		// Above the default, the environment alone raises the limit: the config's unset
		// maxItems must not bring the default back.
		var many strings.Builder
		for i := range config.DefaultMaxItems + 1 {
			fmt.Fprintf(&many, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n", i)
		}
		t.Setenv(MaxItemsEnv, strconv.Itoa(config.DefaultMaxItems+1))
		_, stderr, code = runFn([]byte(many.String()))
		assert.Equal(t, 0, code, "%.300s", stderr)
	}

	t.Setenv(MaxItemsEnv, "many")
	_, stderr, code = runFn([]byte(three))
	assert.Equal(t, 2, code)
	assert.Equal(t, "apirule-fn: APIRULE_FN_MAX_ITEMS must be a positive number of items, got \"many\"\n", string(stderr))
}
