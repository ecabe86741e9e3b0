package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/apirule-krm/apirule-fn/test/apiserver/crdvalidate"
)

// obj is a Kubernetes object decoded into JSON-like values (integers are int64).
type obj = map[string]any

// run is one invocation of the function and what it produced.
type run struct {
	name    string   // "conformance/v2-cors" or "examples/seed-httpbin"
	inputs  []obj    // the items the function was given
	config  obj      // the functionConfig
	outputs []obj    // the generated objects: the generatedKinds items not among the inputs
	results []result // the function's results (none in expected mode)
}

// result is one entry of a ResourceList's results, as the KRM function spec defines it.
type result struct {
	Message     string `json:"message"`
	Severity    string `json:"severity"`
	ResourceRef struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		Namespace  string `json:"namespace"`
	} `json:"resourceRef"`
	Field struct {
		Path string `json:"path"`
	} `json:"field"`
}

// generatedKinds maps the kinds the function generates to their API groups.
// generatedFromAnnotation marks the objects the function generated (its prune key).
const generatedFromAnnotation = "apirule.krm.dev/generated-from"

var generatedKinds = map[string]string{
	"VirtualService":        "networking.istio.io",
	"AuthorizationPolicy":   "security.istio.io",
	"RequestAuthentication": "security.istio.io",
	"Rule":                  "oathkeeper.ory.sh",
}

// outputsEnv selects where the validated objects come from. By default the tests build the
// function and run it; APIRULE_OUTPUTS=expected validates the conformance cases' expected.yaml
// (the upstream controller's output) instead, which is how these tests were developed before
// the function worked, and which shows which findings upstream already has.
const outputsEnv = "APIRULE_OUTPUTS"

var (
	producedOnce sync.Once
	produced     []run
	producedErr  error
)

// producedRuns returns every run, computed once per test binary.
func producedRuns(t *testing.T) []run {
	t.Helper()
	producedOnce.Do(func() { produced, producedErr = collectRuns() })
	if producedErr != nil {
		t.Fatal(producedErr)
	}
	if len(produced) == 0 {
		t.Fatal("no conformance case or example found")
	}
	return produced
}

// repoRoot is the root module, two levels up from this test module.
const repoRoot = "../.."

// conformanceDir is the repository's copy of the conformance cases.
func conformanceDir() (string, error) {
	dir := filepath.Join(repoRoot, "testdata/conformance")
	if cases, _ := filepath.Glob(filepath.Join(dir, "*", "resources.yaml")); len(cases) == 0 {
		return "", fmt.Errorf("no conformance cases in %s", dir)
	}
	return dir, nil
}

func collectRuns() ([]run, error) {
	dir, err := conformanceDir()
	if err != nil {
		return nil, err
	}
	cases, _ := filepath.Glob(filepath.Join(dir, "*", "resources.yaml"))
	sort.Strings(cases)
	if os.Getenv(outputsEnv) == "expected" {
		return expectedRuns(cases)
	}
	extra, _ := filepath.Glob("testdata/cases/*/resources.yaml")
	bin, err := buildFunction()
	if err != nil {
		return nil, err
	}
	var runs []run
	for _, resources := range append(cases, extra...) {
		caseDir := filepath.Dir(resources)
		items, err := readObjects(resources)
		if err != nil {
			return nil, err
		}
		config, err := readObjects(filepath.Join(caseDir, "config.yaml"))
		if err != nil || len(config) != 1 {
			return nil, fmt.Errorf("%s/config.yaml: want one object: %v", caseDir, err)
		}
		r, err := runFunction(bin, filepath.Base(filepath.Dir(caseDir))+"/"+filepath.Base(caseDir), items, config[0])
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	examples, err := exampleRuns(bin)
	if err != nil {
		return nil, err
	}
	return append(runs, examples...), nil
}

// expectedRuns reads each case's expected.yaml. Those objects have only generateName, so
// each gets the name generateName + its index, as a function must invent some name.
func expectedRuns(cases []string) ([]run, error) {
	var runs []run
	for _, resources := range cases {
		caseDir := filepath.Dir(resources)
		inputs, err := readObjects(resources)
		if err != nil {
			return nil, err
		}
		outputs, err := readObjects(filepath.Join(caseDir, "expected.yaml"))
		if err != nil {
			return nil, err
		}
		config, err := readObjects(filepath.Join(caseDir, "config.yaml"))
		if err != nil || len(config) != 1 {
			return nil, fmt.Errorf("%s/config.yaml: want one object: %v", caseDir, err)
		}
		for i, o := range outputs {
			gen, _, _ := unstructured.NestedString(o, "metadata", "generateName")
			if err := unstructured.SetNestedField(o, gen+strconv.Itoa(i), "metadata", "name"); err != nil {
				return nil, err
			}
		}
		runs = append(runs, run{name: "conformance/" + filepath.Base(caseDir), config: config[0], inputs: inputs, outputs: outputs})
	}
	return runs, nil
}

// buildDir holds the function binary and the examples' scratch copies; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildFunction builds the function binary from the repository root into a temporary folder.
func buildFunction() (string, error) {
	dir, err := os.MkdirTemp("", "apirule-fn-build-")
	if err != nil {
		return "", err
	}
	buildDir = dir
	bin := filepath.Join(dir, "apirule-fn")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the function (go build -o %s . in %s): %v\n%s", bin, repoRoot, err, out)
	}
	return bin, nil
}

// runFunction pipes a ResourceList with items and functionConfig into the function and
// collects what it generated. A non-zero exit is fine (validation failures are error results)
// as long as the function wrote a ResourceList.
func runFunction(bin, name string, items []obj, functionConfig obj) (run, error) {
	in, err := json.Marshal(obj{
		"apiVersion":     "config.kubernetes.io/v1",
		"kind":           "ResourceList",
		"items":          items,
		"functionConfig": functionConfig,
	})
	if err != nil {
		return run{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Kind    string   `json:"kind"`
		Items   []obj    `json:"items"`
		Results []result `json:"results"`
	}
	if err := yaml.Unmarshal(stdout.Bytes(), &out); err != nil || out.Kind != "ResourceList" {
		return run{}, fmt.Errorf("%s: the function wrote no ResourceList (exit: %v, decode: %v)\nstdout: %.2000s\nstderr: %.2000s",
			name, runErr, err, stdout.String(), stderr.String())
	}
	return splitOutputs(name, functionConfig, items, out.Items, out.Results)
}

// splitOutputs makes a run: the generated objects are the output items of generatedKinds that
// were not among the inputs (which may hold existing VirtualServices, for example). Every
// object is re-decoded with the API server's JSON decoder, so integers are int64.
func splitOutputs(name string, config obj, inputs, outputs []obj, results []result) (run, error) {
	r := run{name: name, config: config, results: results}
	// An output counts as generated unless the input already held it as a hand-written object:
	// an input object that carries the function's ownership annotation is a previous render
	// (an overlay re-rendering its base's output), which the function replaces under the same
	// deterministic name.
	handWritten := map[string]bool{}
	for _, o := range inputs {
		o, err := normalize(o)
		if err != nil {
			return run{}, fmt.Errorf("%s: %w", name, err)
		}
		r.inputs = append(r.inputs, o)
		if _, previous, _ := unstructured.NestedString(o, "metadata", "annotations", generatedFromAnnotation); !previous {
			handWritten[objectID(o)] = true
		}
	}
	for _, o := range outputs {
		o, err := normalize(o)
		if err != nil {
			return run{}, fmt.Errorf("%s: %w", name, err)
		}
		if group := generatedKinds[kindOf(o)]; group != "" && groupOf(o) == group && !handWritten[objectID(o)] {
			r.outputs = append(r.outputs, o)
		}
	}
	return r, nil
}

func normalize(o obj) (obj, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return crdvalidate.DecodeJSON(raw)
}

// readObjects reads a multi-document YAML file into objects.
func readObjects(path string) ([]obj, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	docs, err := crdvalidate.SplitYAML(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]obj, 0, len(docs))
	for _, d := range docs {
		o, err := crdvalidate.DecodeJSON(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func kindOf(o obj) string { s, _ := o["kind"].(string); return s }

func groupOf(o obj) string {
	av, _ := o["apiVersion"].(string)
	if i := bytes.LastIndexByte([]byte(av), '/'); i >= 0 {
		return av[:i]
	}
	return ""
}

func objectID(o obj) string {
	return groupOf(o) + "/" + kindOf(o) + "/" + namespaceOf(o) + "/" + nameOf(o)
}

func nameOf(o obj) string { s, _, _ := unstructured.NestedString(o, "metadata", "name"); return s }

func namespaceOf(o obj) string {
	s, _, _ := unstructured.NestedString(o, "metadata", "namespace")
	return s
}

// istioHandler reports whether the run used the v1beta1 Istio JWT handler (function config
// spec.jwtHandler: istio) rather than the default Oathkeeper one.
func (r run) istioHandler() bool {
	h, _, _ := unstructured.NestedString(r.config, "spec", "jwtHandler")
	return h == "istio"
}

// describe names an object in failure messages.
func describe(r run, o obj) string {
	return fmt.Sprintf("%s: %s %s/%s", r.name, kindOf(o), namespaceOf(o), nameOf(o))
}
