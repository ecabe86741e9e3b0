package yamlsafe_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

var defaultLimits = yamlsafe.Limits{MaxDepth: 64, MaxScalarBytes: 1 << 20}

func parse(t testing.TB, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	return &doc
}

// decodeJSON decodes src with yamlsafe and returns the result as JSON.
func decodeJSON(t testing.TB, src string, lim yamlsafe.Limits) (string, error) {
	t.Helper()
	v, err := yamlsafe.Decode(parse(t, src), lim)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b), nil
}

// acceptedCases read the same in yaml.v3 (kyaml) and sigs.k8s.io/yaml (kubectl).
var acceptedCases = []struct{ name, src, want string }{
	{"mapping and list", "a: [x, 'y', \"z\"]\nb: {c: d}", `{"a":["x","y","z"],"b":{"c":"d"}}`},
	{"null forms", "a: null\nb: ~\nc:\nd: Null", `{"a":null,"b":null,"c":null,"d":null}`},
	{"YAML 1.2 booleans", "a: true\nb: False\nc: TRUE", `{"a":true,"b":false,"c":true}`},
	{"quoted YAML 1.1 booleans are strings", "a: 'yes'\nb: \"on\"\nc: !!str off\n'y': 1", `{"a":"yes","b":"on","c":"off","y":1}`},
	{"integers", "a: 42\nb: -7\nc: 0x1F\nd: 1_000\ne: 0", `{"a":42,"b":-7,"c":31,"d":1000,"e":0}`},
	{"floats", "a: 1.5\nb: 1e3\nc: .5\nd: -0.25", `{"a":1.5,"b":1000,"c":0.5,"d":-0.25}`},
	{"dates stay text", "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00", `{"a":"2001-12-14","b":"2001-12-14t21:59:43.10-05:00"}`},
	{"quoted merge key is a plain key", "\"<<\": x", `{"\u003c\u003c":"x"}`},
	{"block scalars", "a: |\n  line1\n  line2\nb: >\n  folded\n  text\n", `{"a":"line1\nline2\n","b":"folded text\n"}`},
	{"comments are ignored", "# head\na: 1 # line\n# foot\n", `{"a":1}`},
	{"empty document", "", `null`},
	{"JSON", `{"a": [1, "2", {"b": null}]}`, `{"a":[1,"2",{"b":null}]}`},
}

func TestDecodeAccepts(t *testing.T) {
	for _, tt := range acceptedCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeJSON(t, tt.src, defaultLimits)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, got)
		})
	}
}

// TestDecodeAgreesWithKubectl holds the package's promise: whatever Decode accepts,
// kubectl's YAML-to-JSON conversion reads the same.
func TestDecodeAgreesWithKubectl(t *testing.T) {
	for _, tt := range acceptedCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeJSON(t, tt.src, defaultLimits)
			require.NoError(t, err)
			want, err := k8syaml.YAMLToJSON([]byte(tt.src))
			require.NoError(t, err)
			assert.JSONEq(t, string(want), got)
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, src string
		lim       yamlsafe.Limits
		path, msg string
	}{
		{"duplicate key", "spec:\n  host: a\n  host: b", defaultLimits, "spec.host", `duplicate key "host"`},
		{"merge key", "base: &b {x: 1}\nspec:\n  <<: *b", defaultLimits, "base", "YAML anchors (&b) are not allowed"},
		{"merge key without alias", "spec:\n  <<: {x: 1}", defaultLimits, "spec", "YAML merge keys (<<) are not allowed"},
		{"explicit merge tag", "spec:\n  !!merge x: {y: 1}", defaultLimits, "spec", "YAML merge keys (<<) are not allowed"},
		{"alias", "a: *x", defaultLimits, "", "unknown anchor"},
		{"anchor", "a: &x [1]\nb: 2", defaultLimits, "a", "YAML anchors (&x) are not allowed"},
		{"anchor and alias in a list", "a: [&x 1, *x]", defaultLimits, "a[0]", "YAML anchors (&x) are not allowed"},
		{"binary tag", "a: !!binary aGk=", defaultLimits, "a", "YAML tag !!binary is not allowed"},
		{"custom tag on a mapping", "a: !foo {b: c}", defaultLimits, "a", "custom YAML tag !foo is not allowed"},
		{"custom tag on a sequence", "a: !!set [b]", defaultLimits, "a", "custom YAML tag !!set is not allowed"},
		{"complex key", "? [a, b]\n: c", defaultLimits, "", "complex key"},
		{"integer key", "1: a", defaultLimits, "", `mapping key "1" must be a string (tag !!int)`},
		{"null key", "~: a", defaultLimits, "", "must be a string (tag !!null)"},
		{"YAML 1.1 boolean value", "a: yes", defaultLimits, "a", "ambiguous value yes"},
		{"YAML 1.1 boolean value off", "a: [Off]", defaultLimits, "a[0]", "ambiguous value Off"},
		{"YAML 1.1 boolean key", "headers:\n  on: x", defaultLimits, "headers", "ambiguous key on"},
		{"leading zero", "port: 0700", defaultLimits, "port", "ambiguous number 0700"},
		{"leading zero with underscore", "port: 0_17", defaultLimits, "port", "ambiguous number 0_17"},
		{"integer overflow", "port: 9223372036854775808", defaultLimits, "port", `integer "9223372036854775808" out of range`},
		{"infinity", "a: .inf", defaultLimits, "a", `invalid number ".inf"`},
		{"not a number", "a: .NaN", defaultLimits, "a", `invalid number ".NaN"`},
		{"too deep", "a: {b: {c: {d: 1}}}", yamlsafe.Limits{MaxDepth: 3}, "a.b.c", "nesting deeper than 3 levels"},
		{"too deep in a list", "a: [[[1]]]", yamlsafe.Limits{MaxDepth: 3}, "a[0][0]", "nesting deeper than 3 levels"},
		{"an empty mapping counts", "a: {b: {c: {}}}", yamlsafe.Limits{MaxDepth: 3}, "a.b.c", "nesting deeper than 3 levels"},
		{"scalar too long", "a: " + strings.Repeat("x", 11), yamlsafe.Limits{MaxScalarBytes: 10}, "a", "value longer than 10 bytes"},
		{"key too long", strings.Repeat("k", 11) + ": x", yamlsafe.Limits{MaxScalarBytes: 10}, "kkkkkkkkkkk", "value longer than 10 bytes"},
		{"control characters in a key are escaped", "\"a\\e[31m\": 1\n\"a\\e[31m\": 2", defaultLimits, `a\x1b[31m`, `duplicate key "a\x1b[31m"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				// The parser itself refuses it (an alias without anchor): nothing reaches Decode.
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			_, err := yamlsafe.Decode(&doc, tt.lim)
			require.Error(t, err)
			var e *yamlsafe.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.path, e.Path)
			assert.Contains(t, e.Message, tt.msg)
		})
	}
}

func TestDecodeRejectsAnAliasWhoseAnchorIsOutside(t *testing.T) {
	doc := parse(t, "a: &x {b: 1}\nc: {d: *x}")
	c := doc.Content[0].Content[3]
	_, err := yamlsafe.Decode(c, defaultLimits)
	var e *yamlsafe.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "d", e.Path)
	assert.Contains(t, e.Message, "YAML aliases (*x) are not allowed")
}

func TestDecodeLimitsAreInclusive(t *testing.T) {
	_, err := yamlsafe.Decode(parse(t, "a: {b: [1]}"), yamlsafe.Limits{MaxDepth: 3, MaxScalarBytes: 1})
	assert.NoError(t, err, "three nested mappings and sequences and one-byte scalars are within the limits")
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain name-1.example.com", "plain name-1.example.com"},
		{"back\\slash \"quoted\"", "back\\slash \"quoted\""},
		{"ümlaut ✓", "ümlaut ✓"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"line\nbreak\r\ttab", `line\nbreak\r\ttab`},
		{"nul\x00", `nul\x00`},
		{"bidi \u202e override", `bidi \u202e override`},
		{"c1 \u009b csi", `c1 \u009b csi`},
		{"line separator \u2028", `line separator \u2028`},
		{"invalid \xff\xfe utf-8", `invalid \xff\xfe utf-8`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := yamlsafe.Escape(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, yamlsafe.Escape(got), "escaping twice changes nothing")
		})
	}
}
