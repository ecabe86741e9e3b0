package processor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

const (
	fuzzService = "apiVersion: v1\nkind: Service\nmetadata: {name: httpbin, namespace: demo}\nspec: {selector: {app: httpbin}, ports: [{port: 8000}]}\n"
	fuzzGateway = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: kyma-gateway, namespace: kyma-system}\n" +
		"spec: {servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*.example.com']}]}\n"
)

// FuzzAPIRule parses an APIRule of each version (version selects it; the document's
// own apiVersion is replaced) and runs it through the item checks, yamlsafe, the
// schema, the model decode and the renderer. Invariants: no panic and no hang; the
// output is valid YAML without aliases; a second run over the output changes
// nothing (the function is idempotent).
func FuzzAPIRule(f *testing.F) {
	versions := map[string]uint8{}
	for i, v := range apirule.Versions {
		versions[apirule.Group+"/"+v] = uint8(i)
	}
	files, err := filepath.Glob("../../testdata/conformance/*/resources.yaml")
	if err != nil {
		f.Fatal(err)
	}
	examples, err := filepath.Glob("../../examples/*/apirule.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range append(files, examples...) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		in, err := krmio.Parse(b)
		if err != nil {
			f.Fatal(err)
		}
		for _, n := range in.Items {
			rn := yaml.NewRNode(n)
			if v, ok := versions[rn.GetApiVersion()]; ok && rn.GetKind() == apirule.Kind {
				f.Add(v, []byte(rn.MustString()))
			}
		}
	}
	f.Add(versions[apirule.Group+"/"+apirule.V1beta1], []byte(v1beta1Rule("api", "api.example.com", "/.*")))
	f.Fuzz(func(t *testing.T, version uint8, doc []byte) {
		// A hang crashes the worker, which makes the fuzzer keep the input.
		defer time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hangs on %d %q", version, doc)) }).Stop()
		in, err := krmio.Parse(doc)
		if err != nil || in.Wrapped || len(in.Items) != 1 || in.Items[0].Kind != yaml.MappingNode {
			return
		}
		rule := yaml.NewRNode(in.Items[0])
		rule.SetApiVersion(apirule.Group + "/" + apirule.Versions[int(version)%len(apirule.Versions)])
		rule.SetKind(apirule.Kind)
		first := fuzzRun(t, []*yaml.Node{in.Items[0], yaml.MustParse(fuzzService).YNode(), yaml.MustParse(fuzzGateway).YNode()})
		if first == "" {
			return
		}
		again, err := krmio.Parse([]byte(first))
		if err != nil {
			t.Fatalf("output is not YAML (%v):\n%s", err, first)
		}
		if second := fuzzRun(t, again.Items); second != first {
			t.Fatalf("a second run changes the output:\n%s\n--- became ---\n%s", first, second)
		}
	})
}

// fuzzRun checks and processes items and returns the output items as a stream,
// "" when the item checks refuse the input.
func fuzzRun(t *testing.T, nodes []*yaml.Node) string {
	t.Helper()
	items, problems := CheckItems(nodes)
	if len(problems) > 0 {
		return ""
	}
	rl := &framework.ResourceList{Items: items}
	_ = (&Processor{}).Process(rl)
	var b bytes.Buffer
	if err := krmio.Write(&b, &krmio.Output{Items: rl.Items}); err != nil {
		t.Fatalf("write: %v", err)
	}
	if strings.Contains(b.String(), "*") {
		for _, n := range mustParse(t, b.Bytes()) {
			if a := aliasIn(n); a != nil {
				t.Fatalf("output holds the alias *%s:\n%s", a.Value, b.String())
			}
		}
	}
	return b.String()
}

func mustParse(t *testing.T, b []byte) []*yaml.Node {
	t.Helper()
	in, err := krmio.Parse(b)
	if err != nil {
		t.Fatalf("output is not YAML (%v):\n%s", err, b)
	}
	return in.Items
}

func aliasIn(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := aliasIn(c); a != nil {
			return a
		}
	}
	return nil
}
