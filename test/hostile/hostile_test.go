package hostile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

// hostileDir holds the catalogue: <name>/input.yaml and <name>/expected.txt, the
// error the input must produce. Inputs too large to commit are generated below.
const hostileDir = repoRoot + "/testdata/hostile"

// TestHostileCatalogue runs every input of the catalogue through the binary.
func TestHostileCatalogue(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(hostileDir, "*", "input.yaml"))
	if err != nil || len(dirs) < 25 {
		t.Fatalf("want at least 25 hostile inputs in %s, found %d (%v)", hostileDir, len(dirs), err)
	}
	for _, input := range dirs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(input)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(input)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checkRefused(t, runFn(t, f), isResourceList(data), strings.TrimSpace(string(want)))
		})
	}
}

// TestHostileGenerated runs the inputs too large to commit. Each generator returns
// the input (a reader, not materialised where it is large) and whether it is a
// ResourceList.
func TestHostileGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: generates and feeds inputs of many megabytes (-short)")
	}
	tests := []struct {
		name  string
		input func(t *testing.T) (io.Reader, bool)
		want  string
	}{
		{"flow nesting beyond go-yaml's limit of 10,000", text(resourceList(item("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: {x: " +
			strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}"))), "exceeded max depth of 10000"},
		{"block nesting of 3,000 in an APIRule", text(resourceList(item(apiRule(0, "  deep:\n"+blockNesting(3000))))), "nesting deeper than 64 levels"},
		{"100 MB scalar through a pipe", func(*testing.T) (io.Reader, bool) {
			return io.MultiReader(strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "),
				io.LimitReader(repeatReader('a'), 100<<20), strings.NewReader("\n")), false
		}, "input too large: more than 67108864 bytes (raise the limit with the environment variable APIRULE_FN_MAX_INPUT_BYTES)"},
		{"100 MB file, refused unread", sparseFile(100 << 20), "input too large: more than 67108864 bytes"},
		{"scalar over 1 MiB in an APIRule", text(resourceList(item(apiRule(0, "  x: "+strings.Repeat("a", 1<<20+1)+"\n")))), "spec.x: value longer than 1048576 bytes"},
		{"100,001 tiny items", text(resourceList(tinyItems(100001)...)), "100001 items exceed maxItems 100000"},
		// Counted before parsing: the parser would take 600 MB for these.
		{"200,000 tiny items (19 MB)", text(resourceList(repeat(tinyAPIRule, 200000)...)), "input too large: 200000 items exceed maxItems 100000 (raise the limit with the environment variable APIRULE_FN_MAX_ITEMS)"},
		{"200,000 tiny items in a flow list", text("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [" +
			strings.TrimSuffix(strings.Repeat("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}, ", 200000), ", ") + "]\n"), "200000 items exceed maxItems"},
		{"200,000 documents", text(strings.Repeat("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n", 200000)), "input too large: 200000 items exceed maxItems 100000"},
		{"a flow list of 3,000,000 nodes in one item", text(resourceList(item("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: [" +
			strings.Repeat("0,", 3000000) + "0]}"))), "input too large: items[0] has more than 1048576 YAML nodes"},
		{"a block list of 2,000,000 nodes in a document", text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nx:\n" +
			strings.Repeat("- 0\n", 2000000)), "input too large: a document has more than 1048576 YAML nodes"},
		{"a functionConfig of 2,000,000 nodes", text(resourceList(item("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}")) +
			"functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {x: [" + strings.Repeat("0,", 2000000) + "0]}\n"), "input too large: a document has more than 1048576 YAML nodes"},
		{"100,000 null items are reported in bounded space", text(resourceList(repeat("null", 100000)...)), "99900 more items refused (only the first 100 are reported)"},
		{"APIRule with 1,001 rules", text(resourceList(item(apiRule(1001, "")))), "spec.rules: 1001 rules exceed the limit of 1000"},
		{"APIRule with 100,000 hosts", text(resourceList(item(strings.Replace(apiRule(1, ""), "hosts: [api.example.com]",
			"hosts: ["+strings.Join(numbered("h%d.example.com", 100000), ", ")+"]", 1)))), "spec.hosts: Too many: 100000: must have at most 1 item"},
		{"APIRule with 100,000 methods", text(resourceList(item(strings.Replace(apiRule(1, ""), "methods: [GET]",
			"methods: ["+strings.TrimSuffix(strings.Repeat("GET, POST, ", 50000), ", ")+"]", 1)))), "spec.rules: Path /p0 with method GET conflicts with at least one of the previous rule paths"},
		{"200,000 aliases of one small map", text(resourceList(item("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: many}\ndata:\n  base: &b {a: 1, b: 2}\n  list: [" +
			strings.TrimSuffix(strings.Repeat("*b, ", 200000), ", ") + "]"))), "excessive YAML aliasing"},
		{"twelve-level billion laughs", text(resourceList(item("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n" + laughs(12)))), "excessive YAML aliasing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin, wrapped := tt.input(t)
			if c, ok := stdin.(io.Closer); ok {
				defer c.Close()
			}
			checkRefused(t, runFn(t, stdin), wrapped, tt.want)
		})
	}
}

// TestBoundsCatchARegression makes sure the measurement sees the child's memory:
// with the input limit raised (environment and config), a 64 MiB scalar is parsed
// and written back, which takes far more than maxRSS (the test fails if the run
// stays within the bounds).
func TestBoundsCatchARegression(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: feeds 64 MiB (-short)")
	}
	stdin := io.MultiReader(strings.NewReader(resourceList("- {apiVersion: v1, kind: ConfigMap, metadata: {name: big}, data: {x: ")),
		io.LimitReader(repeatReader('a'), 64<<20), strings.NewReader("}}\nfunctionConfig: {apiVersion: apirule.krm.dev/v1alpha1, "+
			"kind: APIRuleTransformer, metadata: {name: c}, spec: {maxInputBytes: 100000000}}\n"))
	r := runFnEnv(t, []string{"APIRULE_FN_MAX_INPUT_BYTES=100000000"}, stdin)
	t.Logf("%v CPU, %d MB peak RSS", r.cpu.Round(time.Millisecond), r.rss>>20)
	if r.code != 0 {
		t.Fatalf("exit code %d:\n%s", r.code, head(r.stderr))
	}
	if r.rss <= maxRSS {
		t.Errorf("parsing a 64 MiB scalar measured %d MB, within the %d MB bound: the bound would not catch a regression", r.rss>>20, maxRSS>>20)
	}
}

// checkRefused asserts that a run failed with want on stderr and, for a
// ResourceList, as an error result ("<field path>: <message>" contains want), within
// the time and memory bounds.
func checkRefused(t *testing.T, r run, resourceList bool, want string) {
	t.Helper()
	checkBounds(t, r)
	if r.code != 1 {
		t.Errorf("exit code %d, want 1; stderr:\n%s", r.code, head(r.stderr))
	}
	if !bytes.Contains(r.stderr, []byte(want)) {
		t.Errorf("stderr does not contain %q:\n%s", want, head(r.stderr))
	}
	if !resourceList {
		if len(r.stdout) > 0 {
			t.Errorf("refused stream input printed output:\n%s", head(r.stdout))
		}
		return
	}
	var out struct {
		Kind    string `yaml:"kind"`
		Results []struct {
			Message  string `yaml:"message"`
			Severity string `yaml:"severity"`
			Field    struct {
				Path string `yaml:"path"`
			} `yaml:"field"`
		} `yaml:"results"`
	}
	if err := yaml.Unmarshal(r.stdout, &out); err != nil || out.Kind != "ResourceList" {
		t.Fatalf("output is not a ResourceList (%v):\n%s", err, head(r.stdout))
	}
	var errs []string
	for _, res := range out.Results {
		if res.Severity == "error" {
			errs = append(errs, res.Field.Path+": "+res.Message)
		}
	}
	for _, e := range errs {
		if strings.Contains(e, want) {
			return
		}
	}
	t.Errorf("no error result contains %q; error results: %q", want, errs)
}

// isResourceList reports whether data is read as a ResourceList.
func isResourceList(data []byte) bool {
	in, err := krmio.Parse(data)
	return err == nil && in.Wrapped
}

func text(s string) func(*testing.T) (io.Reader, bool) {
	return func(*testing.T) (io.Reader, bool) { return strings.NewReader(s), isResourceList([]byte(s)) }
}

// sparseFile is a file of size bytes that takes no disk space.
func sparseFile(size int64) func(t *testing.T) (io.Reader, bool) {
	return func(t *testing.T) (io.Reader, bool) {
		f, err := os.Create(filepath.Join(t.TempDir(), "big.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		return f, false
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func resourceList(items ...string) string {
	return "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + strings.Join(items, "")
}

// item indents a YAML document as an element of items.
func item(doc string) string {
	return "- " + strings.ReplaceAll(strings.TrimSuffix(doc, "\n"), "\n", "\n  ") + "\n"
}

func repeat(doc string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = item(doc)
	}
	return out
}

// tinyAPIRule is a small item of the 19 MB input that once took 600 MB to refuse.
const tinyAPIRule = "apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata: {name: a, namespace: b}\nspec: {hosts: [a]}\n"

func tinyItems(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("- {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}}\n", i)
	}
	return out
}

func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

// apiRule is a v2 APIRule with rules rules (one if 0 is given) and extra spec lines.
func apiRule(rules int, extraSpec string) string {
	var b strings.Builder
	b.WriteString("apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata: {name: api, namespace: demo}\nspec:\n" +
		"  hosts: [api.example.com]\n  gateway: kyma-system/kyma-gateway\n  service: {name: httpbin, port: 8000}\n" + extraSpec + "  rules:\n")
	for i := range max(rules, 1) {
		fmt.Fprintf(&b, "  - {path: /p%d, methods: [GET], noAuth: true}\n", i)
	}
	return b.String()
}

// blockNesting is a block mapping depth levels deep, indented below a spec key.
func blockNesting(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat("  ", i+2) + "a:\n")
	}
	b.WriteString(strings.Repeat("  ", depth+2) + "b: 1\n")
	return b.String()
}

// laughs is a data field whose aliases expand to 9^depth scalars.
func laughs(depth int) string {
	var b strings.Builder
	b.WriteString("data:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < depth; i++ {
		ref := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(ref+", ", 9), ", "))
	}
	return b.String()
}
