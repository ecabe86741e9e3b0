package istio

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// repoRoot is the root module, two levels up from this test module.
const repoRoot = "../.."

var corpus = sync.OnceValues(collectCorpus)

// corpusRuns returns every run of the corpus, computed once per test binary.
func corpusRuns(t *testing.T) []run {
	t.Helper()
	runs, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// collectCorpus runs the function over everything the repository holds that makes it produce
// objects: the conformance cases, the examples (and their expected outputs, which
// examples/examples_test.go holds equal to what kustomize build makes of them), the hostile
// and benign inputs, and the committed fuzz corpora of the function's fuzz targets and of
// FuzzIstiodAgreement here.
func collectCorpus() ([]run, error) {
	var runs []run
	for _, collect := range []func() ([]run, error){conformanceRuns, exampleRuns, inputFileRuns, fuzzCorpusRuns} {
		rs, err := collect()
		if err != nil {
			return nil, err
		}
		runs = append(runs, rs...)
	}
	return runs, nil
}

func conformanceRuns() ([]run, error) {
	cases, _ := filepath.Glob(filepath.Join(repoRoot, "testdata/conformance/*/resources.yaml"))
	if len(cases) == 0 {
		return nil, fmt.Errorf("no conformance case in %s/testdata/conformance", repoRoot)
	}
	sort.Strings(cases)
	var runs []run
	for _, resources := range cases {
		dir := filepath.Dir(resources)
		items, err := readObjects(resources)
		if err != nil {
			return nil, err
		}
		config, err := readObjects(filepath.Join(dir, "config.yaml"))
		if err != nil || len(config) != 1 {
			return nil, fmt.Errorf("%s/config.yaml: want one object (%v)", dir, err)
		}
		r, err := runFunction("conformance/"+filepath.Base(dir), resourceList(items, config[0]))
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// exampleRuns runs the function over every example folder that holds its function config
// (kind APIRuleTransformer) next to the objects, and reads every expected-output.yaml (the
// overlay example's among them) as the output of a run over its own non-generated objects.
func exampleRuns() ([]run, error) {
	var runs []run
	err := filepath.WalkDir(filepath.Join(repoRoot, "examples"), func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.yaml"))
		var config obj
		var items, expected []obj
		for _, f := range files {
			objs, err := readObjects(f)
			if err != nil {
				return err
			}
			switch base := filepath.Base(f); {
			case base == "expected-output.yaml":
				expected = objs
			case base == "kustomization.yaml":
			default:
				for _, o := range objs {
					if kindOf(o) == "APIRuleTransformer" {
						config = o
					} else {
						items = append(items, o)
					}
				}
			}
		}
		name := "examples/" + strings.TrimPrefix(filepath.ToSlash(path), repoRoot+"/examples/")
		if config != nil && len(items) > 0 {
			r, err := runFunction(name, resourceList(items, config))
			if err != nil {
				return err
			}
			runs = append(runs, r)
		}
		if expected != nil {
			r := run{name: name + "/expected-output.yaml"}
			for _, o := range expected {
				if generatedGroups[groupOf(o)] && kindOf(o) != "Gateway" {
					r.outputs = append(r.outputs, o)
				} else {
					r.inputs = append(r.inputs, o)
				}
			}
			runs = append(runs, r)
		}
		return nil
	})
	return runs, err
}

// inputFileRuns feeds the hostile catalogue and the benign inputs to the function as they are.
func inputFileRuns() ([]run, error) {
	hostile, _ := filepath.Glob(filepath.Join(repoRoot, "testdata/hostile/*/input.yaml"))
	benign, _ := filepath.Glob(filepath.Join(repoRoot, "testdata/benign/*.yaml"))
	if len(hostile) == 0 || len(benign) == 0 {
		return nil, fmt.Errorf("no hostile or benign inputs under %s/testdata", repoRoot)
	}
	var runs []run
	for _, f := range append(hostile, benign...) {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(filepath.Join(repoRoot, "testdata"), f)
		r, err := runFunction(filepath.ToSlash(rel), data)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// fuzzCorpusRuns replays the committed fuzz corpora. Entries of the function's byte-input
// targets go to the function as stdin; FuzzIstiodAgreement's seeds go through the generator.
func fuzzCorpusRuns() ([]run, error) {
	var runs []run
	dirs, _ := filepath.Glob(filepath.Join(repoRoot, "fn/*/testdata/fuzz/*"))
	for _, dir := range dirs {
		entries, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, e := range entries {
			values, err := readFuzzEntry(e)
			if err != nil {
				return nil, err
			}
			if len(values) == 0 {
				continue
			}
			data, ok := values[len(values)-1].([]byte)
			if !ok {
				continue
			}
			rel, _ := filepath.Rel(repoRoot, e)
			r, err := runFunction(filepath.ToSlash(rel), data)
			if err != nil {
				return nil, err
			}
			runs = append(runs, r)
		}
	}
	own, _ := filepath.Glob("testdata/fuzz/FuzzIstiodAgreement/*")
	for _, e := range own {
		values, err := readFuzzEntry(e)
		if err != nil {
			return nil, err
		}
		seed, ok := values[0].(uint64)
		if len(values) != 1 || !ok {
			return nil, fmt.Errorf("%s: want one uint64", e)
		}
		r, err := runFunction(e, generate(seed).stdin())
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// readFuzzEntry reads a file of Go's fuzz corpus format ("go test fuzz v1", one Go literal a
// line). Only the value types the repository's fuzz targets take are decoded.
func readFuzzEntry(path string) ([]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a Go fuzz corpus entry", path)
	}
	var values []any
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		typ, arg, ok := strings.Cut(line, "(")
		if !ok || !strings.HasSuffix(arg, ")") {
			return nil, fmt.Errorf("%s: cannot read %q", path, line)
		}
		arg = strings.TrimSuffix(arg, ")")
		switch typ {
		case "[]byte", "string":
			s, err := strconv.Unquote(arg)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			if typ == "string" {
				values = append(values, s)
			} else {
				values = append(values, []byte(s))
			}
		case "uint8", "byte", "uint64", "int":
			n, err := strconv.ParseUint(arg, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			if typ == "uint64" {
				values = append(values, n)
			} else {
				values = append(values, int(n))
			}
		default:
			return nil, fmt.Errorf("%s: value type %s is not read here", path, typ)
		}
	}
	return values, sc.Err()
}

// readObjects reads a multi-document YAML file into objects.
func readObjects(path string) ([]obj, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	objs, err := decodeAll(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return objs, nil
}
