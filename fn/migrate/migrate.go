package migrate

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/render"
	"github.com/apirule-krm/apirule-fn/fn/schema"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// Result is the outcome of migrating one APIRule.
type Result struct {
	// Migrated is set when the APIRule was rewritten as v2.
	Migrated bool
	// Blockers name each field that kept the APIRule from migrating: it is left
	// unchanged. Warnings, errors under strict.
	Blockers []Finding
	// Differences name what the migrated APIRule lets through differently (warnings).
	Differences []Finding
	// Notes say what changed form (infos).
	Notes []Finding
	// Old is the rendering of the APIRule as it was: later APIRules of the run see
	// its hosts as occupied, as the render mode does.
	Old render.Output
}

// APIRule migrates one v1alpha1 or v1beta1 APIRule node (version as
// apirule.VersionOf, obj its plain form, already checked against its CRD) to v2 in
// place, when every field converts with its meaning and the v2 form passes the v2
// CRD check and renders. v2 and v2alpha1 APIRules are left alone, so migrating twice
// changes nothing. The old and the new rendering are compared over a table of
// requests per rule; each difference is reported.
func APIRule(ctx *render.Context, n *yaml.Node, version string, obj map[string]any, issuers map[string]string) Result {
	var res Result
	old, err := render.APIRule(ctx, version, obj)
	if err != nil {
		res.Blockers = append(res.Blockers, Finding{Message: err.Error()})
		return res
	}
	res.Old = old
	if version == apirule.V2 || version == apirule.V2alpha1 {
		return res
	}
	var ar *apirule.V1beta1APIRule
	if version == apirule.V1alpha1 {
		var a1 apirule.V1alpha1APIRule
		if err := apirule.Decode(obj, &a1); err != nil {
			res.Blockers = append(res.Blockers, Finding{Message: err.Error()})
			return res
		}
		ar = a1.ToV1beta1()
	} else {
		ar = &apirule.V1beta1APIRule{}
		if err := apirule.Decode(obj, ar); err != nil {
			res.Blockers = append(res.Blockers, Finding{Message: err.Error()})
			return res
		}
	}
	for _, f := range old.Findings {
		if f.Severity == render.Error {
			res.Blockers = append(res.Blockers, Finding{Path: f.Path, Message: fmt.Sprintf("the APIRule fails as %s (%s): fix that first, the migration compares before and after", version, f.Message)})
		}
	}
	if len(res.Blockers) > 0 {
		return res
	}
	v2, blockers, notes := convert(ctx, ar, issuers)
	if res.Blockers = blockers; len(blockers) > 0 {
		return res
	}
	res.Notes = notes
	updated := copyNode(n)
	if err := rewrite(updated, v2); err != nil {
		res.Blockers = append(res.Blockers, Finding{Message: "cannot rewrite the APIRule: " + err.Error()})
		return res
	}
	newOut, blockers := check(ctx, updated)
	if res.Blockers = blockers; len(blockers) > 0 {
		return res
	}
	res.Differences = differences(ctx, old, newOut, v2.Spec.Rules)
	*n = *updated
	res.Migrated = true
	return res
}

// convert picks the conversion: a v1beta1 APIRule created as v2 becomes what the
// API server's conversion makes of it (that is what the controller runs), any
// other one is converted field by field.
func convert(ctx *render.Context, ar *apirule.V1beta1APIRule, issuers map[string]string) (*apirule.V2APIRule, []Finding, []Finding) {
	if ar.CreatedAsV2() {
		v2, unconvertible, err := ar.ToV2alpha1()
		var blockers []Finding
		if err != nil {
			blockers = append(blockers, Finding{Message: err.Error()})
		}
		for _, u := range unconvertible {
			blockers = append(blockers, Finding{Path: u.Path, Message: u.Reason})
		}
		if v2 != nil {
			v2.APIVersion = apirule.Group + "/" + apirule.V2
		}
		return v2, blockers, nil
	}
	handler, _ := ctx.JWTHandler()
	domain, _ := ctx.Cluster.DefaultDomain()
	return Convert(ar, Options{
		Issuers:       issuers,
		Istio:         handler == config.HandlerIstio,
		DefaultDomain: domain,
		GatewayDomain: func(ref string) string {
			ns, name, _ := strings.Cut(ref, "/")
			g := ctx.Cluster.Gateway(ns, name)
			if !g.SingleWildcardHost {
				return ""
			}
			return g.Domain
		},
		DefaultCors: ctx.Config.DefaultCorsPolicy,
	})
}

// check proves the v2 form: it must pass the v2 CRD check and render.
func check(ctx *render.Context, n *yaml.Node) (render.Output, []Finding) {
	plain, err := yamlsafe.Decode(n, yamlsafe.Limits{MaxDepth: ctx.Config.MaxDepth, MaxScalarBytes: ctx.Config.MaxScalarBytes})
	if err != nil {
		return render.Output{}, []Finding{{Message: "the v2 form cannot be read: " + err.Error()}}
	}
	obj, _ := plain.(map[string]any)
	violations, err := schema.Validate(apirule.V2, obj)
	if err != nil {
		return render.Output{}, []Finding{{Message: err.Error()}}
	}
	var blockers []Finding
	for _, v := range violations {
		blockers = append(blockers, Finding{Message: fmt.Sprintf("the v2 form would fail the v2 CRD at %s: %s", v.Path, v.Message)})
	}
	if len(blockers) > 0 {
		return render.Output{}, blockers
	}
	out, err := render.APIRule(ctx, apirule.V2, obj)
	if err != nil {
		return out, []Finding{{Message: err.Error()}}
	}
	for _, f := range out.Findings {
		if f.Severity == render.Error {
			blockers = append(blockers, Finding{Path: f.Path, Message: "the v2 form would fail: " + f.Message})
		}
	}
	return out, blockers
}

// differences compares what the old and the new objects let through.
func differences(ctx *render.Context, old, updated render.Output, rules []apirule.V2Rule) []Finding {
	if len(old.Hosts) == 0 {
		return nil
	}
	// The keys at a JWKS URL verify the tokens of the issuer v2 gives it.
	keys := map[string]string{}
	for _, r := range rules {
		if r.JWT != nil {
			for _, a := range r.JWT.Authentications {
				keys[a.JwksURI] = a.Issuer
			}
		}
	}
	meshOf := func(objs []*object.Object) *access.Mesh {
		m := access.New()
		m.OathkeeperProxy, m.JWKSIssuers = ctx.Config.OathkeeperProxy, keys
		m.Selector = func(ns, name string) (map[string]string, bool) {
			s := ctx.Cluster.Service(ns, name)
			return s.Selector, s.Found
		}
		if err := m.AddObjects(objs); err != nil {
			return nil
		}
		return m
	}
	before, after := meshOf(old.Objects), meshOf(updated.Objects)
	if before == nil || after == nil {
		return []Finding{{Message: "the generated objects could not be compared"}}
	}
	host := old.Hosts[0]
	if len(host) > 1 && host[0] == '*' {
		host = "any" + host[1:]
	}
	return compare(before, after, host, rules)
}

func copyNode(n *yaml.Node) *yaml.Node {
	return yaml.CopyYNode(n)
}
