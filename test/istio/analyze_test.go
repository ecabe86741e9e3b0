package istio

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
	"sigs.k8s.io/yaml"
)

// finding is one message of Istio's analyzers.
type finding struct {
	Code     string // IST0132
	Kind     string // of the resource it is about
	Resource string // namespace/name
	Labels   map[string]string
	Params   []any
	Text     string
}

// analyze runs every analyzer `istioctl analyze` runs (analyzers.AllCombined) over objects,
// as `istioctl analyze --use-kube=false -A` does over files, except that Services, Pods and
// Namespaces of the input are read too (istioctl reads those only from a live cluster): the
// input stands for the cluster here.
func analyze(objects []obj) ([]finding, error) {
	var stream bytes.Buffer
	for _, o := range objects {
		b, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		stream.WriteString("---\n")
		stream.Write(b)
	}
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), "", resource.Namespace("istio-system"), nil)
	if err := sa.AddTestReaderKubeSource([]local.ReaderSource{{Name: "render.yaml", Reader: &stream}}); err != nil {
		return nil, err
	}
	if err := sa.AddDefaultResources(); err != nil {
		return nil, err
	}
	cancel := make(chan struct{})
	defer close(cancel)
	res, err := sa.Analyze(cancel)
	if err != nil {
		return nil, err
	}
	var out []finding
	for _, m := range res.Messages {
		f := finding{Code: m.Type.Code(), Params: m.Parameters, Text: m.String()}
		if m.Resource != nil {
			f.Kind = m.Resource.Metadata.Schema.Kind()
			f.Resource = m.Resource.Metadata.FullName.String()
			f.Labels = m.Resource.Metadata.Labels
		}
		out = append(out, f)
	}
	return out, nil
}

// apiRule names the APIRule a finding's resource was generated from ("" for input objects).
func (f finding) apiRule() string {
	if f.Labels["apirule.gateway.kyma-project.io/name"] == "" {
		return ""
	}
	return f.Labels["apirule.gateway.kyma-project.io/namespace"] + "/" + f.Labels["apirule.gateway.kyma-project.io/name"]
}

// knowable classifies an analyzer finding on a generated object: the codes the function must
// report (IST0132 when the Gateway is in the input, IST0130, IST0101 for a destination host
// when the input holds Services, IST0133 for the legacy gateway spelling), or why it is not
// the function's business.
func knowable(f finding, r run) (bool, string) {
	switch f.Code {
	case "IST0132": // host not found in Gateway; parameters: hosts, VirtualService, gateway
		if gw := fmt.Sprint(f.Params[2]); !hasObject(r.inputs, "Gateway", gw) {
			return false, "IST0132, Gateway not in the input"
		}
		return true, "IST0132"
	case "IST0130":
		return true, "IST0130"
	case "IST0101": // referenced resource not found; parameters: kind of reference, value
		switch ref, val := fmt.Sprint(f.Params[0]), fmt.Sprint(f.Params[1]); {
		case ref != "host" && ref != "host:port":
			return false, "IST0101 " + ref
		case !hasKind(r.inputs, "Service"):
			return false, "IST0101 host, no Service in the input"
		case strings.HasPrefix(val, "ory-oathkeeper-proxy.") || strings.HasPrefix(val, "oathkeeper-"):
			return false, "IST0101 host, the Oathkeeper proxy"
		default:
			return true, "IST0101 " + ref
		}
	case "IST0133":
		if strings.Contains(f.Text, "legacy gatewayName format") {
			return true, "IST0133"
		}
		return false, "IST0133 other"
	}
	return false, f.Code
}

func hasKind(objects []obj, kind string) bool {
	for _, o := range objects {
		if kindOf(o) == kind {
			return true
		}
	}
	return false
}

func hasObject(objects []obj, kind, namespacedName string) bool {
	for _, o := range objects {
		if kindOf(o) == kind && namespaceOf(o)+"/"+nameOf(o) == namespacedName {
			return true
		}
	}
	return false
}

// reported reports whether the function has a result on the APIRule that names the
// analyzer's code.
func reported(r run, apiRule, code string) bool {
	for _, res := range r.results {
		if res.ResourceRef.Kind == "APIRule" && res.ResourceRef.Namespace+"/"+res.ResourceRef.Name == apiRule &&
			strings.Contains(res.Message, code) {
			return true
		}
	}
	return false
}

// analyzerTally counts analyzer findings on generated objects by class, and those the
// function reports.
type analyzerTally struct{ found, reported map[string]int }

// check runs the analyzers over a run's input and output and fails t for every finding
// on a generated object that the function can know and did not report.
func (a analyzerTally) check(t *testing.T, r run) {
	t.Helper()
	generated := map[string]bool{}
	for _, o := range r.outputs {
		generated[kindOf(o)+" "+namespaceOf(o)+"/"+nameOf(o)] = true
	}
	findings, err := analyze(append(append([]obj(nil), r.inputs...), r.outputs...))
	if err != nil {
		t.Fatalf("%s: %v", r.name, err)
	}
	for _, f := range findings {
		if !generated[f.Kind+" "+f.Resource] {
			continue // about an input object
		}
		must, class := knowable(f, r)
		a.found[class]++
		if !must {
			continue
		}
		rule, code := f.apiRule(), class[:7]
		if reported(r, rule, code) {
			a.reported[class]++
		} else {
			t.Errorf("%s: the analyzers find %s on %s %s (APIRule %s), the function does not report %s",
				r.name, f.Text, f.Kind, f.Resource, rule, code)
		}
	}
}

func (a analyzerTally) String() string {
	var classes []string
	for c := range a.found {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	var b strings.Builder
	for _, c := range classes {
		fmt.Fprintf(&b, "\n  %-45s %5d findings, %5d reported by the function", c, a.found[c], a.reported[c])
	}
	return b.String()
}

// TestAnalyzerFindingsAreReported runs Istio's analyzers over each conformance case's and
// example's input together with the function's output, and over generated scenarios
// (which reach the classes the corpus does not: missing Services, ports a Service does
// not expose): every finding on a generated object that the function can know from its
// input must also be a result of the function on the APIRule it comes from.
func TestAnalyzerFindingsAreReported(t *testing.T) {
	corpus := analyzerTally{map[string]int{}, map[string]int{}}
	for _, r := range corpusRuns(t) {
		if (strings.HasPrefix(r.name, "conformance/") || strings.HasPrefix(r.name, "examples/")) &&
			!strings.HasSuffix(r.name, "expected-output.yaml") && len(r.outputs) > 0 {
			corpus.check(t, r)
		}
	}
	t.Logf("analyzer findings on generated objects over the conformance cases and examples:%s", corpus)
	generated := analyzerTally{map[string]int{}, map[string]int{}}
	for seed := uint64(1); seed <= 200; seed++ {
		r, err := runFunction(fmt.Sprintf("seed %d", seed), generate(seed).stdin())
		if err != nil {
			t.Fatal(err)
		}
		if len(r.outputs) > 0 {
			generated.check(t, r)
		}
	}
	t.Logf("analyzer findings on generated objects over 200 generated scenarios:%s", generated)
}
