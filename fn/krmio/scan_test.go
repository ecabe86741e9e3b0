package krmio

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// counted is what the parser finds: the items and the largest number of nodes of
// an item, or of the rest of a ResourceList.
type counted struct{ items, maxNodes int }

func parsedCounts(t testing.TB, data []byte) (counted, bool) {
	text, err := utf8Text(data)
	if err != nil {
		return counted{}, false
	}
	docs, err := decodeAll(text)
	if err != nil {
		return counted{}, false
	}
	var c counted
	unit := func(n int) { c.maxNodes = max(c.maxNodes, n) }
	if len(docs) == 1 && docs[0].Kind == yaml.MappingNode && duplicateKey(docs[0]) == "" {
		if apiVersion, kind := typeOf(docs[0]); kind == "ResourceList" && resourceListVersions[apiVersion] {
			rest := 1
			for i := 0; i+1 < len(docs[0].Content); i += 2 {
				k, v := docs[0].Content[i], docs[0].Content[i+1]
				if k.Value == "items" && v.Kind == yaml.SequenceNode {
					c.items = len(v.Content)
					for _, it := range v.Content {
						unit(nodes(it))
					}
					rest += 2
					continue
				}
				rest += nodes(k) + nodes(v)
			}
			unit(rest)
			return c, true
		}
	}
	c.items = len(docs)
	for _, d := range docs {
		unit(nodes(d))
	}
	return c, true
}

// nodes counts the nodes under n, an alias as one.
func nodes(n *yaml.Node) int {
	count := 1
	for _, c := range n.Content {
		count += nodes(c)
	}
	return count
}

// scanned is what the scan finds, in the same terms.
func scanned(data []byte) counted {
	text, _ := utf8Text(data)
	s := scan(text)
	items := s.docs
	if resourceListVersions[s.listAPIVersion] {
		items = s.items
	}
	return counted{items: items, maxNodes: s.maxNodes}
}

// checkLowerBound fails when the scan counts more than the parser finds.
func checkLowerBound(t testing.TB, name string, data []byte) {
	t.Helper()
	want, ok := parsedCounts(t, data)
	if !ok {
		return
	}
	got := scanned(data)
	if got.items > want.items || got.maxNodes > want.maxNodes {
		t.Errorf("%s: scan counts %d items, at most %d nodes; the parser %d items, at most %d nodes:\n%s",
			name, got.items, got.maxNodes, want.items, want.maxNodes, data)
	}
}

// tricky are texts whose scalars look like structure.
var tricky = []string{
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  script: |\n    - a\n    - b\n    key: value\n\n    - c\n  other: >-\n    [a, b, c]\n    {x: 1, y: 2}\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    x: \"a, b\n- c, d\n- e\"\n    y: 'it''s [a, b]\n- f'\n- |\n  - g\n  - h\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{apiVersion: v1, kind: A, metadata: {name: 'a, b'}}, {apiVersion: v1, kind: B, data: {x: \"[1, 2]\"}}]\n",
	"a: b # - c, [d, e]\n# - f\n- g\n",
	"---\n# only a comment\n---\na: 1\n---\n---\nb: [1, 2, 3]\n...\n",
	"key: plain text, with commas [and brackets] {and braces}\nother: it's 'quoted' \"maybe\"\n",
	"items:\n- a\n- b\nkind: List\napiVersion: v1\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {a: [1, 2, 3, 4, 5, 6]}\nitems:\n  - a: 1\n  - - b\n    - c\n  -\n    d: [1,\n      2,\n      3]\n",
	"a: &x [1, 2]\nb: *x\nc: !!str [x\nd: ! e\n",
	"- - - a\n  - b\n- c: |+\n\n    - d\n\n- e\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- \"a\n\n- b\"\n- c\n",
	"apiVersion: \"config.kubernetes.io/v1\" # the list\nkind: 'ResourceList'\nitems: []\n",
}

func TestScanNeverCountsMore(t *testing.T) {
	for i, s := range tricky {
		checkLowerBound(t, fmt.Sprintf("tricky[%d]", i), []byte(s))
	}
	// Every YAML file of the repository: examples, conformance cases, hostile inputs.
	n := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin") {
			// fs.SkipDir itself: WalkDir compares with ==, so a wrapped one ends the walk.
			return fs.SkipDir
		}
		if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			checkLowerBound(t, path, data)
			n++
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, n, 200, "YAML files checked")
}

func TestScanCounts(t *testing.T) {
	block := func(n int) string {
		var b strings.Builder
		b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
		for i := range n {
			fmt.Fprintf(&b, "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name  string
		input string
		want  counted
	}{
		{"block items", block(3), counted{items: 3, maxNodes: 5}},
		{"indented block items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  - a: 1\n    b: 2\n  - c: 3\n", counted{items: 2, maxNodes: 3}},
		{"flow items", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{a: 1}, {b: 2}, {c: [1, 2, 3]}, ]\n", counted{items: 3, maxNodes: 4}},
		{"stream", "a: 1\n---\nb: 2\n---\n# nothing\n", counted{items: 2, maxNodes: 1}},
		{"flow list", "data: {x: [" + strings.Repeat("0,", 1000) + "0]}\n", counted{items: 1, maxNodes: 1003}},
		{"block list", "data:\n  x:\n" + strings.Repeat("  - 0\n", 1000), counted{items: 1, maxNodes: 1002}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scanned([]byte(tt.input)))
			checkLowerBound(t, tt.name, []byte(tt.input))
		})
	}
}

func TestParseLimited(t *testing.T) {
	lim := Limits{MaxItems: 2, MaxItemNodes: 10}
	list := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {a: 1}\n- {b: 2}\n- {c: 3}\n"

	in, err := ParseLimited([]byte(list), lim)
	require.NoError(t, err)
	assert.True(t, in.Wrapped)
	assert.Equal(t, "config.kubernetes.io/v1", in.APIVersion)
	assert.Empty(t, in.Items)
	require.ErrorIs(t, in.Refused, ErrTooLarge)
	assert.EqualError(t, in.Refused, "input too large: 3 items exceed maxItems 2")

	_, err = ParseLimited([]byte("a: 1\n---\nb: 2\n---\nc: 3\n"), lim)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.EqualError(t, err, "input too large: 3 items exceed maxItems 2")

	_, err = ParseLimited([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {a: 1}\n- {b: [1,2,3,4,5,6,7,8,9,10,11]}\n"), lim)
	require.NoError(t, err)
	in, err = ParseLimited([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {a: 1}\n- {b: [1,2,3,4,5,6,7,8,9,10,11,12]}\n"), lim)
	require.NoError(t, err)
	assert.EqualError(t, in.Refused, "input too large: items[1] has more than 10 YAML nodes: no Kubernetes object has that many")

	in, err = ParseLimited([]byte(list), Limits{})
	require.NoError(t, err)
	assert.Nil(t, in.Refused)
	assert.Len(t, in.Items, 3)
}

func FuzzScan(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLowerBound(t, "fuzz", data)
	})
}
