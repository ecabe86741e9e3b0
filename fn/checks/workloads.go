package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// Shared workloads: where an APIRule's policies meet what others configure for the
// same pods.

var crossNamespaceService = &Check{
	ID: "AF101", Severity: Medium,
	Why: "the target Service is in another namespace than the APIRule: its AuthorizationPolicies and RequestAuthentications land there, next to that namespace's own, which add up with them",
	Fix: "put the APIRule in the Service's namespace",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for _, t := range targets(ar) {
				if ns := t.value.LookupNamespace(); t.value.Name != "" && ns != ar.Namespace {
					rep.At(ar, t.path, "Service %s/%s is in namespace %s, not the APIRule's (%s): the policies for it are written into namespace %s, where that namespace's own policies and other APIRules' add up with them; put the APIRule in namespace %s",
						ns, t.value.Name, ns, ar.Namespace, ns, ns)
				}
			}
		}
	},
}

// targets are the target Services an APIRule names, at the path of their namespace.
func targets(ar *APIRule) []located[apirule.Target] {
	var out []located[apirule.Target]
	add := func(path string, t apirule.Target, svc *apirule.Service) {
		if svc != nil && svc.Namespace != nil {
			out = append(out, located[apirule.Target]{ar, path + ".namespace", t})
		}
	}
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil:
		add("spec.service", ar.V2.RuleTarget(&apirule.V2Rule{}), ar.V2.Spec.Service)
		for i := range ar.V2.Spec.Rules {
			rule := &ar.V2.Spec.Rules[i]
			add(fmt.Sprintf("spec.rules[%d].service", i), ar.V2.RuleTarget(rule), rule.Service)
		}
	case ar.V1beta1 != nil:
		add("spec.service", ar.V1beta1.RuleTarget(&apirule.V1beta1Rule{}), ar.V1beta1.Spec.Service)
		for i := range ar.V1beta1.Spec.Rules {
			rule := &ar.V1beta1.Spec.Rules[i]
			add(fmt.Sprintf("spec.rules[%d].service", i), ar.V1beta1.RuleTarget(rule), rule.Service)
		}
	}
	return out
}

var mergedKeySets = &Check{
	ID: "AF102", Severity: High,
	Why: "RequestAuthentications on one workload name the same issuer with different JWKS URIs: Istio merges them, so a token signed with either key set passes every policy of that issuer",
	Fix: "use one JWKS URI per issuer on a workload",
	Run: func(r *Render, rep *Report) {
		type jwks struct {
			issuer, uri string
			obj         *Object
			selector    map[string]string
		}
		var all []jwks
		for _, o := range r.Objects() {
			var spec struct {
				Selector struct {
					MatchLabels map[string]string `yaml:"matchLabels"`
				} `yaml:"selector"`
				JWTRules []struct {
					Issuer  string `yaml:"issuer"`
					JwksURI string `yaml:"jwksUri"`
				} `yaml:"jwtRules"`
			}
			if o.Kind != "RequestAuthentication" || o.Group() != istioSecurity || !o.Decode(&spec) {
				continue
			}
			for _, j := range spec.JWTRules {
				all = append(all, jwks{j.Issuer, j.JwksURI, o, spec.Selector.MatchLabels})
			}
		}
		reported := map[string]bool{}
		// Each pair is reported once: on the later APIRule, or on the APIRule when the
		// other object is of the input.
		for i, a := range all {
			if a.obj.Owner == nil {
				continue
			}
			for j, b := range all {
				if j == i || (b.obj.Owner != nil && j > i) || a.issuer != b.issuer || a.uri == b.uri || !sameWorkloads(a.obj.Namespace, a.selector, b.obj.Namespace, b.selector) {
					continue
				}
				path := jwksPath(a.obj.Owner, a.issuer, a.uri)
				if key := a.obj.Owner.String() + path + b.obj.String(); !reported[key] {
					reported[key] = true
					rep.At(a.obj.Owner, path, "issuer %s is also configured with JWKS %s by %s for the same workload (%s): Istio merges the RequestAuthentications, so a token signed with either key set passes every policy of that issuer; use one JWKS URI",
						a.issuer, b.uri, b.obj, selectorString(a.obj.Namespace, a.selector))
				}
			}
		}
	},
}

// sameWorkloads reports whether two selectors can select the same pods: in one
// namespace (or one of them in the mesh root namespace), with labels that do not
// contradict each other; no selector selects every workload.
func sameWorkloads(nsA string, a map[string]string, nsB string, b map[string]string) bool {
	if nsA != nsB && nsA != access.RootNamespace && nsB != access.RootNamespace {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; ok && w != v {
			return false
		}
	}
	return true
}

func selectorString(ns string, sel map[string]string) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(sel)) {
		kv = append(kv, k+"="+sel[k])
	}
	if len(kv) == 0 {
		return "every workload of namespace " + ns
	}
	return "namespace " + ns + ", " + strings.Join(kv, ",")
}

// jwksPath is the path of the authentication of the APIRule with this issuer and
// JWKS URI ("spec.rules" when none matches).
func jwksPath(ar *APIRule, issuer, uri string) string {
	for _, b := range jwtBlocksOf(ar) {
		for k, a := range b.value.Authentications {
			if a != nil && a.Issuer == issuer && a.JwksURI == uri {
				return fmt.Sprintf("%s.authentications[%d].jwksUri", b.path, k)
			}
		}
	}
	return "spec.rules"
}
