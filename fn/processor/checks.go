package processor

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/checks"
	"github.com/apirule-krm/apirule-fn/fn/render"
)

// addChecked records an APIRule that rendered, with its placed objects, its
// assumptions and its waivers, for the checks.
func (r *run) addChecked(it *yaml.RNode, out render.Output, report func(framework.Severity, string, string)) {
	ar := checkedAPIRule(it, out, report)
	for _, o := range out.Objects {
		ar.Objects = append(ar.Objects, &checks.Object{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, SpecNode: o.Spec})
	}
	r.rendered.AddAPIRule(ar)
}

// checkFailed reports the assumptions of an APIRule that failed (they may be why):
// the reference checks run on it alone, the others need objects it does not have.
func (r *run) checkFailed(it *yaml.RNode, out render.Output, report func(framework.Severity, string, string)) {
	if len(out.Assumptions) == 0 {
		return
	}
	alone := &checks.Render{}
	alone.AddAPIRule(checkedAPIRule(it, out, report))
	r.report(checks.Run(alone, checks.References))
}

// checkedAPIRule is the APIRule item as the checks see it, without objects; a
// waiver of an unknown check is a warning.
func checkedAPIRule(it *yaml.RNode, out render.Output, report func(framework.Severity, string, string)) *checks.APIRule {
	ar := &checks.APIRule{Namespace: it.GetNamespace(), Name: it.GetName(), Item: it,
		V2: out.V2, V1beta1: out.V1beta1, IstioHandler: out.IstioHandler, Assumptions: out.Assumptions}
	if v, ok := it.GetAnnotations()[checks.WaiveAnnotation]; ok {
		var unknown []string
		ar.Waived, unknown = checks.ParseWaivers(v, checks.All)
		if len(unknown) > 0 {
			report(framework.Warning, "metadata.annotations."+checks.WaiveAnnotation, fmt.Sprintf(
				"%s names no check: %s (the IDs are listed in the README's checks table)", checks.WaiveAnnotation, strings.Join(unknown, ", ")))
		}
	}
	return ar
}

// check runs every check on the render and reports the findings on their APIRules.
func (r *run) check() {
	r.report(checks.Run(&r.rendered, checks.All))
}

// report records findings as results on their APIRules.
func (r *run) report(findings []checks.Finding) {
	for _, f := range findings {
		it := f.APIRule.Item.(*yaml.RNode)
		sev, msg := checks.Resolve(f, r.cfg.Strict)
		res := result(sev, itemRef(it), f.Path, msg, fileOf(it))
		res.Tags = checks.Tags(f)
		r.results = append(r.results, res)
	}
}

// strictResults makes every warning an error (strict: true), so that nothing the
// function warns about passes a strict pipeline unseen.
func strictResults(results framework.Results) {
	for _, res := range results {
		if res.Severity == framework.Warning {
			res.Severity = framework.Error
			res.Message += " (strict: true turns warnings into errors)"
		}
	}
}

// underKpt reports whether kpt runs the function: its items hold the package's
// Kptfile. kpt prints the results of every function itself, so warnings printed on
// stderr too would show twice.
func underKpt(items []*yaml.RNode) bool {
	for _, it := range items {
		if it.GetKind() == "Kptfile" && strings.HasPrefix(it.GetApiVersion(), "kpt.dev/") {
			return true
		}
	}
	return false
}
