package istio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/apirule-krm/apirule-fn/fn/cmd"
)

// obj is a Kubernetes object decoded into JSON-like values.
type obj = map[string]any

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

// run is one invocation of the function and what it produced.
type run struct {
	name    string   // "conformance/v2-cors", "examples/seed-httpbin", "hostile/nul-byte"
	inputs  []obj    // the items the function was given (none when the input did not decode)
	outputs []obj    // the generated objects: output items of an Istio or Oathkeeper group that were not among the inputs
	results []result // the function's results
	exit    int
}

// generatedGroups are the API groups of the objects the function writes.
var generatedGroups = map[string]bool{
	"networking.istio.io": true,
	"security.istio.io":   true,
	"oathkeeper.ory.sh":   true,
}

// resourceList is the function's input for items and a function config.
func resourceList(items []obj, functionConfig obj) []byte {
	b, err := json.Marshal(obj{
		"apiVersion":     "config.kubernetes.io/v1",
		"kind":           "ResourceList",
		"items":          items,
		"functionConfig": functionConfig,
	})
	if err != nil {
		panic(err) // only JSON-like values go in
	}
	return b
}

// runFunction runs the function in this process, as its binary does (cmd.Main), on stdin.
// The output is a ResourceList, or a stream of objects when the input was one.
func runFunction(name string, stdin []byte) (run, error) {
	var stdout, stderr bytes.Buffer
	r := run{name: name}
	r.exit = cmd.Main(nil, bytes.NewReader(stdin), &stdout, &stderr)
	if r.exit != 0 && r.exit != 1 {
		return r, fmt.Errorf("%s: exit code %d\nstderr: %.2000s", name, r.exit, stderr.String())
	}
	items, results, err := readOutput(stdout.Bytes())
	if err != nil {
		return r, fmt.Errorf("%s: the output does not read: %v\nstdout: %.2000s", name, err, stdout.String())
	}
	r.results = results
	if in, err := decodeAll(stdin); err == nil {
		if len(in) == 1 && in[0]["kind"] == "ResourceList" {
			list, _ := in[0]["items"].([]any)
			for _, it := range list {
				if o, ok := it.(obj); ok {
					r.inputs = append(r.inputs, o)
				}
			}
		} else {
			r.inputs = in
		}
	}
	inputIDs := map[string]bool{}
	for _, o := range r.inputs {
		if !generatedByEarlierRun(o) {
			inputIDs[objectID(o)] = true
		}
	}
	for _, o := range items {
		if generatedGroups[groupOf(o)] && !inputIDs[objectID(o)] {
			r.outputs = append(r.outputs, o)
		}
	}
	return r, nil
}

// generatedByEarlierRun reports whether o is an object a previous run generated (a kpt
// package holds them): the function removes and generates those again.
func generatedByEarlierRun(o obj) bool {
	m, _ := o["metadata"].(obj)
	annotations, _ := m["annotations"].(obj)
	_, ok := annotations["apirule.krm.dev/generated-from"]
	return ok
}

// readOutput reads the function's output as kyaml reads it (so that a pass-through item JSON
// cannot hold, such as a complex mapping key, does not get in the way): the items of the
// generated groups as objects, and the results.
func readOutput(out []byte) ([]obj, []result, error) {
	br := &kio.ByteReader{Reader: bytes.NewReader(out), OmitReaderAnnotations: true}
	nodes, err := br.Read()
	if err != nil {
		return nil, nil, err
	}
	var items []obj
	for _, n := range nodes {
		if !generatedGroups[groupOf(obj{"apiVersion": n.GetApiVersion()})] {
			continue
		}
		raw, err := n.MarshalJSON()
		if err != nil {
			return nil, nil, err
		}
		var o obj
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, nil, err
		}
		items = append(items, o)
	}
	var results []result
	if br.Results != nil {
		raw, err := br.Results.MarshalJSON()
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(raw, &results); err != nil {
			return nil, nil, err
		}
	}
	return items, results, nil
}

// decodeAll decodes a YAML or JSON stream into objects; null documents are skipped.
func decodeAll(data []byte) ([]obj, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []obj
	for {
		var o obj
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
}

func kindOf(o obj) string { s, _ := o["kind"].(string); return s }

func groupOf(o obj) string {
	av, _ := o["apiVersion"].(string)
	if i := strings.LastIndexByte(av, '/'); i >= 0 {
		return av[:i]
	}
	return ""
}

func metaString(o obj, key string) string {
	m, _ := o["metadata"].(obj)
	s, _ := m[key].(string)
	return s
}

func nameOf(o obj) string      { return metaString(o, "name") }
func namespaceOf(o obj) string { return metaString(o, "namespace") }

func objectID(o obj) string {
	return groupOf(o) + "/" + kindOf(o) + "/" + namespaceOf(o) + "/" + nameOf(o)
}

// apiRuleOf names the APIRule a generated object comes from (its controller labels).
func apiRuleOf(o obj) string {
	m, _ := o["metadata"].(obj)
	labels, _ := m["labels"].(obj)
	ns, _ := labels["apirule.gateway.kyma-project.io/namespace"].(string)
	name, _ := labels["apirule.gateway.kyma-project.io/name"].(string)
	return ns + "/" + name
}

// describe names an object in failure messages.
func describe(r run, o obj) string {
	return fmt.Sprintf("%s: %s %s/%s (APIRule %s)", r.name, kindOf(o), namespaceOf(o), nameOf(o), apiRuleOf(o))
}
