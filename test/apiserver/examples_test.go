package apiserver

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/apirule-krm/apirule-fn/test/apiserver/crdvalidate"
)

const functionAnnotation = "config.kubernetes.io/function"

// exampleRuns builds every kustomization under ../../examples with kustomize (in process, exec
// functions enabled) and records what the function received and returned. The examples are
// copied to a temporary folder where every function annotation that names apirule-fn (exec or
// container, Docker does not run here) is pointed at a wrapper script that tees the
// ResourceLists to files around the freshly built binary.
func exampleRuns(bin string) ([]run, error) {
	src := filepath.Join(repoRoot, "examples")
	if _, err := os.Stat(src); os.IsNotExist(err) {
		return nil, nil
	}
	tmp, err := os.MkdirTemp(buildDir, "examples-")
	if err != nil {
		return nil, err
	}
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		return nil, err
	}
	wrapper := filepath.Join(buildDir, "recording-apirule-fn")
	record := filepath.Join(buildDir, "record")
	script := fmt.Sprintf("#!/usr/bin/env bash\nset -o pipefail\nn=$(date +%%s%%N)\ntee %q/$n.in | %q | tee %q/$n.out\n", record, bin, record)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		return nil, err
	}
	var kustomizations []string
	err = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			kustomizations = append(kustomizations, filepath.Dir(path))
		}
		if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
			return pointFunctionAt(path, wrapper)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(kustomizations)
	var runs []run
	for _, dir := range kustomizations {
		rel, _ := filepath.Rel(tmp, dir)
		if err := os.RemoveAll(record); err != nil {
			return nil, err
		}
		if err := os.Mkdir(record, 0o755); err != nil {
			return nil, err
		}
		if err := kustomize(dir); err != nil {
			return nil, fmt.Errorf("examples/%s: kustomize build: %w", rel, err)
		}
		calls, err := recordedCalls(record, "examples/"+rel)
		if err != nil {
			return nil, err
		}
		runs = append(runs, calls...)
	}
	return runs, nil
}

func kustomize(dir string) error {
	opts := krusty.MakeDefaultOptions()
	opts.PluginConfig = types.EnabledPluginConfig(types.BploUseStaticallyLinked)
	opts.PluginConfig.FnpLoadingOptions.EnableExec = true
	_, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	return err
}

// pointFunctionAt rewrites, in place, every document of a YAML file whose function annotation
// runs apirule-fn so that it execs path instead. Files without such a document are untouched.
func pointFunctionAt(file, path string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), functionAnnotation) {
		return nil
	}
	docs, err := crdvalidate.SplitYAML(strings.NewReader(string(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var out []string
	for _, doc := range docs {
		o, err := crdvalidate.DecodeJSON(doc)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if fn, _, _ := unstructured.NestedString(o, "metadata", "annotations", functionAnnotation); strings.Contains(fn, "apirule-fn") {
			if err := unstructured.SetNestedField(o, "exec:\n  path: "+path+"\n", "metadata", "annotations", functionAnnotation); err != nil {
				return err
			}
		}
		y, err := yaml.Marshal(o)
		if err != nil {
			return err
		}
		out = append(out, string(y))
	}
	return os.WriteFile(file, []byte(strings.Join(out, "---\n")), 0o644)
}

// recordedCalls reads the ResourceLists the wrapper recorded, one run per function call.
func recordedCalls(record, name string) ([]run, error) {
	ins, _ := filepath.Glob(filepath.Join(record, "*.in"))
	sort.Strings(ins)
	if len(ins) == 0 {
		return nil, fmt.Errorf("%s: kustomize never called the function", name)
	}
	var runs []run
	for i, in := range ins {
		var input, output struct {
			Items          []obj    `json:"items"`
			FunctionConfig obj      `json:"functionConfig"`
			Results        []result `json:"results"`
		}
		for file, into := range map[string]any{in: &input, strings.TrimSuffix(in, ".in") + ".out": &output} {
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			j, err := yaml.YAMLToJSON(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if err := json.Unmarshal(j, into); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		r, err := splitOutputs(fmt.Sprintf("%s#%d", name, i), input.FunctionConfig, input.Items, output.Items, output.Results)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}
