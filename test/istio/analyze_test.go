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

// reportedCodes are the analyzer codes the function's checks report so far; a finding of a
// code not listed here is counted, not failed.
var reportedCodes = map[string]bool{}

// TestAnalyzerFindingsAreReported runs Istio's analyzers over each conformance case's and
// example's input together with the function's output: every finding on a generated object
// that the function can know from its input must also be a result of the function on the
// APIRule it comes from.
func TestAnalyzerFindingsAreReported(t *testing.T) {
	counts := map[string]int{}  // class -> findings
	covered := map[string]int{} // class -> findings the function reports
	for _, r := range corpusRuns(t) {
		if !strings.HasPrefix(r.name, "conformance/") && !strings.HasPrefix(r.name, "examples/") || len(r.outputs) == 0 {
			continue
		}
		findings, err := analyze(append(append([]obj(nil), r.inputs...), r.outputs...))
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		for _, f := range findings {
			rule := f.apiRule()
			if rule == "" {
				continue // about an input object
			}
			must, class := knowable(f, r)
			counts[class]++
			if !must {
				continue
			}
			code := class[:7]
			if strings.HasSuffix(r.name, "expected-output.yaml") {
				continue // no function results to compare with
			}
			if reported(r, rule, code) {
				covered[class]++
			} else if reportedCodes[code] {
				t.Errorf("%s: the analyzers find %s on %s %s (APIRule %s), the function does not report %s",
					r.name, f.Text, f.Kind, f.Resource, rule, code)
			}
		}
	}
	var classes []string
	for c := range counts {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	var b strings.Builder
	for _, c := range classes {
		fmt.Fprintf(&b, "\n  %-45s %4d findings, %4d reported by the function", c, counts[c], covered[c])
	}
	t.Logf("analyzer findings on generated objects over the conformance cases and examples:%s", b.String())
}
