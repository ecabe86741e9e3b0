package hostile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// benignDir holds the clean form of a ResourceList and hand-written variants of it.
const benignDir = repoRoot + "/testdata/benign"

// TestBenignOddities: input that is written oddly but means the same as the clean
// form renders, exits 0 and produces the same items.
func TestBenignOddities(t *testing.T) {
	clean := readFile(t, "clean.yaml")
	tests := []struct {
		name  string
		input []byte
	}{
		{"comments everywhere", readFile(t, "comments.yaml")},
		{"flow style, quoting, document markers, other indentation", readFile(t, "styles.yaml")},
		{"anchors and aliases in pass-through items", readFile(t, "anchors-in-pass-through.yaml")},
		{"CRLF line endings", bytes.ReplaceAll(clean, []byte("\n"), []byte("\r\n"))},
		{"JSON", toJSON(t, clean)},
		{"ResourceList v1beta1", bytes.Replace(clean, []byte("config.kubernetes.io/v1\n"), []byte("config.kubernetes.io/v1beta1\n"), 1)},
		{"ResourceList v1alpha1", bytes.Replace(clean, []byte("config.kubernetes.io/v1\n"), []byte("config.kubernetes.io/v1alpha1\n"), 1)},
		{"results left by an earlier function", append(bytes.Clone(clean), "results:\n- message: checked by an earlier function\n  severity: info\n- message: another finding\n  severity: warning\n"...)},
		{"no functionConfig", clean[:bytes.Index(clean, []byte("functionConfig:"))]},
		{"null functionConfig", append(clean[:bytes.Index(clean, []byte("functionConfig:")):bytes.Index(clean, []byte("functionConfig:"))], "functionConfig: null\n"...)},
		{"UTF-8 byte order mark", append([]byte("\ufeff"), clean...)},
		{"UTF-16 with byte order mark", utf16LE("\ufeff" + string(clean))},
		{"empty documents around", append(append([]byte("---\n---\n"), clean...), "---\n"...)},
		{"tabs as separators and in comments", bytes.ReplaceAll(bytes.ReplaceAll(clean, []byte("REGION: eu-west"), []byte("REGION:\teu-west\t#\tcomment")), []byte("namespace: shop\n"), []byte("namespace: shop\t\n"))},
		{"plain YAML stream instead of a ResourceList", stream(t, clean)},
	}
	want := renderedItems(t, runFn(t, bytes.NewReader(clean)))
	require.Len(t, want, 8, "the clean form: APIRule, its 4 objects, Service, Gateway, ConfigMap")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NotEqual(t, string(clean), string(tt.input), "the variant differs from the clean form")
			got := renderedItems(t, runFn(t, bytes.NewReader(tt.input)))
			assert.Equal(t, want, got)
		})
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(benignDir, name))
	require.NoError(t, err)
	return b
}

// renderedItems checks that a run succeeded and returns its items as JSON, from a
// ResourceList or a plain stream.
func renderedItems(t *testing.T, r run) []string {
	t.Helper()
	checkBounds(t, r)
	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", head(r.stderr))
	assert.NotContains(t, string(r.stderr), "error:")
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(r.stdout))
	for {
		var doc any
		if err := dec.Decode(&doc); err != nil {
			break
		}
		docs = append(docs, doc)
	}
	require.NotEmpty(t, docs, "no output")
	if rl, ok := docs[0].(map[string]any); ok && rl["kind"] == "ResourceList" {
		require.Len(t, docs, 1)
		docs, _ = rl["items"].([]any)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		b, err := json.Marshal(d)
		require.NoError(t, err)
		out[i] = string(b)
	}
	return out
}

func toJSON(t *testing.T, src []byte) []byte {
	t.Helper()
	n, err := yaml.Parse(string(src))
	require.NoError(t, err)
	b, err := n.MarshalJSON()
	require.NoError(t, err)
	return b
}

// stream turns a ResourceList into a multi-document stream of its items.
func stream(t *testing.T, rl []byte) []byte {
	t.Helper()
	n, err := yaml.Parse(string(rl))
	require.NoError(t, err)
	items, err := n.Pipe(yaml.Lookup("items"))
	require.NoError(t, err)
	var docs []string
	for _, it := range items.Content() {
		s, err := yaml.NewRNode(it).String()
		require.NoError(t, err)
		docs = append(docs, s)
	}
	return []byte(strings.Join(docs, "---\n"))
}

func utf16LE(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}
