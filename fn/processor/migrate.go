package processor

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/migrate"
)

// migrate rewrites the v1alpha1/v1beta1 APIRules among items as v2, in place,
// where their meaning is kept (mode: migrate). Nothing else changes: no objects are
// generated or removed, so kpt and kustomize fn run write back exactly the
// APIRules' files, and a second run finds only v2 APIRules and changes nothing.
// What blocks an APIRule is a warning per field (an error under strict, as every
// warning).
func (r *run) migrate(items []*yaml.RNode) {
	var migrated, unchanged int
	for _, it := range items {
		if !apirule.IsAPIRule(it.GetApiVersion(), it.GetKind()) {
			continue
		}
		if _, generated := it.GetAnnotations()[OwnerAnnotation]; generated {
			continue
		}
		report := r.reporter(it)
		version, obj, ok := r.admit(it, report)
		if !ok {
			unchanged++
			continue
		}
		res := migrate.APIRule(r.ctx, it.YNode(), version, obj, r.cfg.Issuers)
		for _, o := range res.Old.Objects {
			r.occupy(o, res.Old.Hosts, it)
		}
		for _, b := range res.Blockers {
			report(framework.Warning, b.Path, "not migrated to v2: "+b.Message)
		}
		for _, d := range res.Differences {
			report(framework.Warning, d.Path, d.Message)
		}
		for _, n := range res.Notes {
			report(framework.Info, n.Path, n.Message)
		}
		switch {
		case res.Migrated:
			migrated++
			report(framework.Info, "", "migrated from "+version+" to v2")
		case version != apirule.V2 && version != apirule.V2alpha1:
			unchanged++
		}
	}
	r.results = append(r.results, &framework.Result{Severity: framework.Info,
		Message: fmt.Sprintf("%d APIRule(s) migrated to v2, %d left unchanged (mode: migrate)", migrated, unchanged)})
}
