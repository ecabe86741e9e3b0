package processor

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

// checkItems parses a YAML stream and checks its items.
func checkItems(t *testing.T, stream string) ([]string, framework.Results) {
	t.Helper()
	in, err := krmio.Parse([]byte(stream))
	require.NoError(t, err)
	items, results := CheckItems(in.Items)
	var b bytes.Buffer
	require.NoError(t, krmio.Write(&b, &krmio.Output{Items: items}))
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n---\n"), results
}

func TestCheckItemsRefuses(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: demo}\n"
	const rule = "apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata: {name: api, namespace: demo}\n"
	tests := []struct {
		name, in string
		// want is "<field path>: <message substring>" of the one error result.
		want string
	}{
		{"null item", "---\nnull\n", ": items[0]: null item"},
		{"scalar item", "just text\n", `: items[0]: an item must be a mapping (a Kubernetes object), found !!str "just text"`},
		{"list item", "[a, b]\n", ": items[0]: an item must be a mapping (a Kubernetes object), found a list"},
		{"no apiVersion", "kind: ConfigMap\n", ": items[0]: item without apiVersion"},
		{"empty kind", "apiVersion: v1\nkind: ''\n", ": items[0]: item without kind"},
		{"null kind", "apiVersion: v1\nkind: ~\n", ": items[0]: item without kind"},
		{"integer apiVersion", "apiVersion: 1\nkind: ConfigMap\n", `apiVersion: items[0]: apiVersion must be a string, found !!int "1"`},
		{"list kind", "apiVersion: v1\nkind: [ConfigMap]\n", "kind: items[0]: kind must be a string, found a list"},
		{"binary apiVersion", "apiVersion: !!binary djE=\nkind: ConfigMap\n", `apiVersion: items[0]: apiVersion must be a string, found !!binary "djE="`},
		{"nested List", "apiVersion: v1\nkind: List\nitems: []\n", "kind: items[0]: a List cannot be an item"},
		{"nested ResourceList", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n---\n" + cm, "kind: items[0]: a ResourceList cannot be an item"},
		{"typed list", "apiVersion: gateway.kyma-project.io/v2\nkind: APIRuleList\nitems: []\n", "kind: items[0]: a APIRuleList cannot be an item"},
		{"metadata a string", "apiVersion: v1\nkind: ConfigMap\nmetadata: cm\n", `metadata: items[0]: metadata must be a mapping, found !!str "cm"`},
		{"name a list", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a]}\n", "metadata.name: items[0]: name must be a string, found a list"},
		{"namespace an integer", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: 7}\n", `metadata.namespace: items[0]: namespace must be a string, found !!int "7"`},
		{"labels a list", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: [x]}\n", "metadata.labels: items[0]: labels must be a mapping, found a list"},
		{"duplicate key in a pass-through item", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  selector: {app: b}\n", `spec.selector: items[0]: duplicate key "selector"`},
		{"duplicate top-level key", cm + "kind: Secret\n", `kind: items[0]: duplicate key "kind"`},
		{"duplicate key deep in a list", cm + "data:\n  x: [{a: 1, a: 2}]\n", `data.x[0].a: items[0]: duplicate key "a"`},
		{"merge key", cm + "data:\n  <<: {a: b}\n", "data: items[0]: YAML merge keys (<<) are not allowed"},
		{"merge key through an alias", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\ndata:\n  <<: *m\n", "data: items[0]: YAML merge keys (<<) are not allowed"},
		{"anchor in an APIRule", rule + "spec: &s {hosts: [a]}\n", "spec: items[0]: YAML anchors (&s) are not allowed in an APIRule"},
		{"alias in an APIRule", cm + "data: &d {a: b}\n---\n" + rule + "spec: {hosts: [a], x: *d}\n", "spec.x: items[1]: YAML aliases (*d) are not allowed in an APIRule"},
		{"self-referencing alias", cm + "data: &d {a: *d}\n", "data.a: items[0]: YAML alias *d refers to a node that contains it"},
		{"more nodes than any Kubernetes object", cm + "data: {x: [" + strings.Repeat("a,", MaxItemNodes) + "a]}\n", "items[0]: an item of 1048592 YAML nodes: no Kubernetes object has more than 1048576"},
		{"billion laughs", cm + laughs(9, 9), "items[0]: excessive YAML aliasing: the aliases of the input expand to more than 100000 nodes"},
		{"control characters in keys are escaped", cm + "data: {\"a\\e[2J\": 1, \"a\\e[2J\": 2}\n", `data.a\x1b[2J: items[0]: duplicate key "a\x1b[2J"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, results := checkItems(t, tt.in)
			require.Len(t, results, 1)
			r := results[0]
			assert.Equal(t, framework.Error, r.Severity)
			path := ""
			if r.Field != nil {
				path = r.Field.Path
			}
			assert.Contains(t, path+": "+r.Message, tt.want)
		})
	}
}

// laughs is a ConfigMap data field whose aliases expand to width^depth scalars.
func laughs(width, depth int) string {
	var b strings.Builder
	b.WriteString("data:\n  l0: &l0 [" + strings.TrimSuffix(strings.Repeat("lol,", width), ",") + "]\n")
	for i := 1; i < depth; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), width), ",")
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, refs)
	}
	return b.String()
}

// chained is a ResourceList with a chain of n anchored lists, each holding an alias
// to the one before, outside its items, and a ConfigMap holding the last: a small
// input that nests n+3 levels deep once the aliases are expanded.
func chained(n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nchain:\n- &c0 [x]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "- &c%d [*c%d]\n", i, i-1)
	}
	fmt.Fprintf(&b, "items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {deep: *c%d}}\n", n-1)
	return b.String()
}

func TestCheckItemsAliasDepth(t *testing.T) {
	tests := []struct {
		name  string
		lists int
		want  string
	}{
		{"1,000 levels", 997, ""},
		{"1,001 levels", 998, "items[0]: excessive YAML aliasing: the aliases nest the item deeper than 1000 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, results := checkItems(t, chained(tt.lists))
			if tt.want == "" {
				assert.Empty(t, results)
				return
			}
			require.Len(t, results, 1)
			assert.Contains(t, results[0].Message, tt.want)
		})
	}
}

func TestCheckItemsNamesTheItem(t *testing.T) {
	in := "apiVersion: v1\nkind: Service\nmetadata:\n  name: httpbin\n  namespace: demo\n  annotations: {internal.config.kubernetes.io/path: svc.yaml, internal.config.kubernetes.io/index: '2'}\nspec: {a: 1, a: 2}\n"
	_, results := checkItems(t, in)
	require.Len(t, results, 1)
	r := results[0]
	require.NotNil(t, r.ResourceRef)
	assert.Equal(t, "v1", r.ResourceRef.APIVersion)
	assert.Equal(t, "Service", r.ResourceRef.Kind)
	assert.Equal(t, "httpbin", r.ResourceRef.Name)
	assert.Equal(t, "demo", r.ResourceRef.Namespace)
	require.NotNil(t, r.File)
	assert.Equal(t, "svc.yaml", r.File.Path)
	assert.Equal(t, 2, r.File.Index)
}

func TestCheckItemsExpandsAliasesOfPassThroughItems(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"alias within an item",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d {x: y}\nbinaryData: *d # same\n",
			[]string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: y}\nbinaryData: {x: y} # same"}},
		{"alias to an anchor in an earlier item",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d {x: y}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: *d\n",
			[]string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d {x: y}", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: y}"}},
		{"nested aliases",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &a [1]\ny: &b [*a, *a]\nz: *b\n",
			[]string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: [1]\ny: [[1], [1]]\nz: [[1], [1]]"}},
		{"aliased metadata is readable",
			"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: *m\n",
			[]string{"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, results := checkItems(t, tt.in)
			require.Empty(t, results)
			assert.Equal(t, tt.want, out)
		})
	}
}

func TestCheckItemsAliasBudget(t *testing.T) {
	// The aliases of each item add about 42,700 nodes: two such items fit into
	// MaxAliasNodes, a third does not.
	item := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" + laughs(8, 5)
	}
	_, results := checkItems(t, item("a")+"---\n"+item("b"))
	assert.Empty(t, results)
	_, results = checkItems(t, item("a")+"---\n"+item("b")+"---\n"+item("c"))
	require.Len(t, results, 1, "the budget is for the whole input")
	assert.Contains(t, results[0].Message, "items[2]: excessive YAML aliasing")
}
