package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// conformanceDir holds a verbatim copy of the shared conformance cases: the Kyma
// controller's own output for each input. The cases are data; never edit them to
// make a test pass.
const conformanceDir = "../../testdata/conformance"

type conformanceCase struct {
	name      string
	resources []*yaml.Node
	config    *yaml.Node
	expected  []map[string]any
	failures  []expectedFailure
}

type expectedFailure struct {
	APIRule string `yaml:"apiRule"`
	Path    string `yaml:"path"`
	Message string `yaml:"message"`
}

func loadCases(t *testing.T) []conformanceCase { return loadCasesFrom(t, conformanceDir) }

// loadCasesFrom reads the cases of a directory in the conformance layout.
func loadCasesFrom(t *testing.T, root string) []conformanceCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "*", "resources.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs, "no conformance cases found")
	var cases []conformanceCase
	for _, f := range dirs {
		dir := filepath.Dir(f)
		c := conformanceCase{name: filepath.Base(dir)}
		c.resources = docs(t, filepath.Join(dir, "resources.yaml"))
		cfg := docs(t, filepath.Join(dir, "config.yaml"))
		require.Len(t, cfg, 1)
		c.config = cfg[0]
		for _, n := range docs(t, filepath.Join(dir, "expected.yaml")) {
			var m map[string]any
			require.NoError(t, n.Decode(&m))
			c.expected = append(c.expected, m)
		}
		b, err := os.ReadFile(filepath.Join(dir, "failures.yaml"))
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(b, &c.failures))
		cases = append(cases, c)
	}
	return cases
}

func docs(t *testing.T, path string) []*yaml.Node {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []*yaml.Node
	for {
		var d yaml.Node
		if err := dec.Decode(&d); err != nil {
			break
		}
		if len(d.Content) > 0 && d.Content[0].Kind == yaml.MappingNode {
			out = append(out, d.Content[0])
		}
	}
	return out
}

// resourceList is the input the conformance checker gives a function.
func (c conformanceCase) resourceList(t *testing.T) []byte {
	t.Helper()
	items := &yaml.Node{Kind: yaml.SequenceNode, Content: c.resources}
	rl := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "apiVersion"}, {Kind: yaml.ScalarNode, Value: "config.kubernetes.io/v1"},
		{Kind: yaml.ScalarNode, Value: "kind"}, {Kind: yaml.ScalarNode, Value: "ResourceList"},
		{Kind: yaml.ScalarNode, Value: "items"}, items,
		{Kind: yaml.ScalarNode, Value: "functionConfig"}, c.config,
	}}
	b, err := yaml.Marshal(rl)
	require.NoError(t, err)
	return b
}

// runFn runs the whole command in-process and returns stdout, stderr and exit code.
func runFn(input []byte, args ...string) ([]byte, []byte, int) {
	var stdout, stderr bytes.Buffer
	code := Main(args, bytes.NewReader(input), &stdout, &stderr)
	return stdout.Bytes(), stderr.Bytes(), code
}

type output struct {
	Items   []map[string]any `yaml:"items"`
	Results []struct {
		Message     string `yaml:"message"`
		Severity    string `yaml:"severity"`
		ResourceRef struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"resourceRef"`
		Field struct {
			Path string `yaml:"path"`
		} `yaml:"field"`
	} `yaml:"results"`
}

var generatedGroups = map[string]string{
	"VirtualService": "networking.istio.io", "AuthorizationPolicy": "security.istio.io",
	"RequestAuthentication": "security.istio.io", "Rule": "oathkeeper.ory.sh",
}

func isGenerated(o map[string]any) bool {
	apiVersion, _ := o["apiVersion"].(string)
	kind, _ := o["kind"].(string)
	g, ok := generatedGroups[kind]
	return ok && strings.HasPrefix(apiVersion, g+"/") && annotation(o, "apirule.krm.dev/generated-from") != ""
}

func annotation(o map[string]any, key string) string {
	md, _ := o["metadata"].(map[string]any)
	a, _ := md["annotations"].(map[string]any)
	s, _ := a[key].(string)
	return s
}

// normalize drops what the comparison ignores: names, annotations, the hash and
// index labels, the apiVersion's version, and the order of Cookie pairs.
func normalize(o map[string]any) string {
	b, _ := json.Marshal(o)
	var n map[string]any
	_ = json.Unmarshal(b, &n)
	apiVersion, _ := n["apiVersion"].(string)
	n["apiVersion"], _, _ = strings.Cut(apiVersion, "/")
	md, _ := n["metadata"].(map[string]any)
	delete(md, "name")
	delete(md, "generateName")
	delete(md, "annotations")
	if l, ok := md["labels"].(map[string]any); ok {
		delete(l, "gateway.kyma-project.io/hash")
		delete(l, "gateway.kyma-project.io/index")
	}
	if n["kind"] == "VirtualService" {
		spec, _ := n["spec"].(map[string]any)
		routes, _ := spec["http"].([]any)
		for _, r := range routes {
			route, _ := r.(map[string]any)
			headers, _ := route["headers"].(map[string]any)
			req, _ := headers["request"].(map[string]any)
			set, _ := req["set"].(map[string]any)
			if c, ok := set["Cookie"].(string); ok {
				parts := strings.Split(c, "; ")
				sort.Strings(parts)
				set["Cookie"] = strings.Join(parts, "; ")
			}
		}
	}
	out, _ := json.Marshal(n)
	return string(out)
}

func TestConformance(t *testing.T) { checkCases(t, loadCases(t)) }

// TestOriginalVersionCases runs the cases of v1beta1 APIRules created as v2, in the
// conformance layout (the shared checker runs them too): every rule dropped when
// one does not convert, no rule left, the old gateway name translated. Their
// expected objects are those of the hand-written v2 APIRule the conversion makes.
func TestOriginalVersionCases(t *testing.T) {
	checkCases(t, loadCasesFrom(t, "../../testdata/original-version"))
}

// checkCases runs each case and compares objects, errors and exit code.
func checkCases(t *testing.T, cases []conformanceCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runFn(c.resourceList(t))
			var out output
			require.NoError(t, yaml.Unmarshal(stdout, &out), "stderr: %s", stderr)

			var want, got []string
			for _, e := range c.expected {
				want = append(want, normalize(e))
			}
			for _, it := range out.Items {
				if isGenerated(it) {
					got = append(got, normalize(it))
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got, "generated objects")

			type failure struct{ ref, path, msg string }
			var errs []failure
			warnings := 0
			for _, r := range out.Results {
				if r.Severity == "warning" {
					warnings++
				}
				if r.Severity == "error" {
					errs = append(errs, failure{r.ResourceRef.Namespace + "/" + r.ResourceRef.Name, r.Field.Path, r.Message})
				}
			}
			matched := make([]bool, len(errs))
			for _, f := range c.failures {
				found := false
				for i, e := range errs {
					if !matched[i] && e.ref == f.APIRule && e.path == strings.TrimPrefix(f.Path, ".") && strings.Contains(e.msg, f.Message) {
						matched[i], found = true, true
						break
					}
				}
				assert.True(t, found, "expected failure %s %q: %s; got %v", f.APIRule, f.Path, f.Message, errs)
			}
			for i, e := range errs {
				assert.True(t, matched[i], "unexpected error result %+v", e)
			}
			if len(c.failures) == 0 {
				assert.Equal(t, 0, code, "exit code; stderr: %s", stderr)
			} else {
				assert.Equal(t, 1, code, "exit code")
				assert.Equal(t, len(errs)+warnings, strings.Count(string(stderr), "\n"), "one stderr line per error and warning")
			}
		})
	}
}
