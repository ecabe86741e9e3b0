package krmio_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"

func TestParse(t *testing.T) {
	tests := []struct {
		name, in     string
		wrapped      bool
		apiVersion   string
		kinds        []string // kind of each item; "" for a non-mapping item
		config       bool
		itemsNotList bool
	}{
		{name: "ResourceList v1", in: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " + strings.ReplaceAll(cm, "\n", "\n  "),
			wrapped: true, apiVersion: "config.kubernetes.io/v1", kinds: []string{"ConfigMap"}},
		{name: "ResourceList v1beta1 with config", in: "apiVersion: config.kubernetes.io/v1beta1\nkind: ResourceList\nitems: []\nfunctionConfig: {apiVersion: v1, kind: ConfigMap}\n",
			wrapped: true, apiVersion: "config.kubernetes.io/v1beta1", config: true},
		{name: "ResourceList v1alpha1, null config, results of an earlier function", in: "apiVersion: config.kubernetes.io/v1alpha1\nkind: ResourceList\nitems: []\nfunctionConfig: null\nresults: [{message: hi, severity: info}]\n",
			wrapped: true, apiVersion: "config.kubernetes.io/v1alpha1"},
		{name: "items null", in: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: null\n",
			wrapped: true, apiVersion: "config.kubernetes.io/v1", itemsNotList: true},
		{name: "items missing", in: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n",
			wrapped: true, apiVersion: "config.kubernetes.io/v1", itemsNotList: true},
		{name: "items a mapping", in: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: b}\n",
			wrapped: true, apiVersion: "config.kubernetes.io/v1", itemsNotList: true},
		{name: "unknown ResourceList version is an item", in: "apiVersion: config.kubernetes.io/v2\nkind: ResourceList\nitems: []\n",
			kinds: []string{"ResourceList"}},
		{name: "ResourceList among other documents stays an item", in: "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n---\n" + cm,
			kinds: []string{"ResourceList", "ConfigMap"}},
		{name: "stream with empty documents and an explicit null", in: "---\n" + cm + "---\n---\nnull\n---\n" + cm,
			kinds: []string{"ConfigMap", "", "ConfigMap"}},
		{name: "JSON", in: `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"apiVersion": "v1", "kind": "ConfigMap"}]}`,
			wrapped: true, apiVersion: "config.kubernetes.io/v1", kinds: []string{"ConfigMap"}},
		{name: "CRLF and comments", in: "# head\r\napiVersion: v1 # line\r\nkind: ConfigMap\r\n",
			kinds: []string{"ConfigMap"}},
		{name: "UTF-8 byte order mark", in: "\ufeff" + cm, kinds: []string{"ConfigMap"}},
		{name: "UTF-16 with byte order mark", in: utf16LE("\ufeff" + cm), kinds: []string{"ConfigMap"}},
		{name: "empty input", in: ""},
		{name: "exclamation marks that are no tags, explicit tags", in: cm + "data:\n  a: b!\n  c: '! 1'\n  d: \"!\"\n  e: !!str 1\n  f: !custom 1\n  g: |\n    ! 1\n",
			kinds: []string{"ConfigMap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := krmio.Parse([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.wrapped, in.Wrapped)
			assert.Equal(t, tt.apiVersion, in.APIVersion)
			var kinds []string
			for _, it := range in.Items {
				kind := ""
				if it.Kind == yaml.MappingNode {
					kind = yaml.NewRNode(it).GetKind()
				}
				kinds = append(kinds, kind)
			}
			assert.Equal(t, tt.kinds, kinds)
			assert.Equal(t, tt.config, in.FunctionConfig != nil)
			assert.Equal(t, tt.itemsNotList, in.ItemsNotList)
			assert.Equal(t, int64(len(tt.in)), in.Bytes)
		})
	}
}

func utf16LE(s string) string {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"duplicate items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nitems: [{}]\n", `ResourceList: duplicate key "items"`},
		{"duplicate functionConfig", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig: {}\nfunctionConfig: {}\n", `ResourceList: duplicate key "functionConfig"`},
		{"NUL byte", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \x00}\n", "control characters are not allowed"},
		{"invalid UTF-8", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xe9}\n", "invalid YAML"},
		{"UTF-16 without byte order mark", utf16LE(cm), "invalid YAML"},
		{"UTF-16 with two byte order marks", utf16LE("\ufeff\ufeff" + cm), "invalid YAML: UTF-16 input with a second byte order mark"},
		{"UTF-16 of an odd length", utf16LE("\ufeff"+cm) + "x", "invalid YAML: UTF-16 input of an odd number of bytes"},
		{"tab indentation", "apiVersion: v1\nmetadata:\n\tname: x\n", "invalid YAML"},
		{"flow nesting beyond go-yaml's limit", "a: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "exceeded max depth of 10000"},
		{"undefined alias", "a: *nowhere\n", "unknown anchor 'nowhere' referenced"},
		{"non-specific tag on a number", cm + "data: {port: ! 8000}\n", `line 4: the non-specific tag ! is not allowed: kyaml reads "8000" by its looks`},
		{"non-specific tag on nothing", cm + "data:\n  x: !\n", `line 5: the non-specific tag ! is not allowed: kyaml reads ""`},
		{"non-specific tag in a list after wide characters", cm + "data: {ünïcödé: [a, ! true]}\n", `line 4: the non-specific tag ! is not allowed: kyaml reads "true"`},
		{"non-specific tag after an anchor", cm + "data: {a: &x ! 1}\n", `line 4: the non-specific tag ! is not allowed`},
		{"non-specific tag on a key", cm + "data: {! 1: a}\n", `line 4: the non-specific tag ! is not allowed`},
		{"non-specific tag in a later document after CR line breaks", cm + "---\r" + cm + "data:\r  a: ! null\r", `line 9: the non-specific tag ! is not allowed: kyaml reads "null"`},
		{"non-specific tag in UTF-16", utf16LE("\ufeff" + cm + "data: {a: ! 1}\n"), "line 4: the non-specific tag ! is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := krmio.Parse([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestReadAllRefusesALargeFileUnread(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "big.yaml"))
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.Truncate(12))
	_, err = krmio.ReadAll(f, 11)
	require.ErrorIs(t, err, krmio.ErrTooLarge)
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Zero(t, pos, "nothing was read")
}

func TestReadAll(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		limit   int64
		tooLong bool
	}{
		{"under the limit", 10, 11, false},
		{"at the limit", 11, 11, false},
		{"one byte over", 12, 11, true},
		{"no limit", 1 << 20, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := krmio.ReadAll(strings.NewReader(strings.Repeat("x", tt.size)), tt.limit)
			if tt.tooLong {
				require.Error(t, err)
				assert.True(t, errors.Is(err, krmio.ErrTooLarge))
				assert.Contains(t, err.Error(), "more than 11 bytes")
				return
			}
			require.NoError(t, err)
			assert.Len(t, b, tt.size)
		})
	}
}
