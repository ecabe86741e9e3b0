package render

import (
	"fmt"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/cluster"
)

// checkReferences looks up, at render time, what a v1beta1 APIRule refers to but the
// controller never checks: its Gateway and (under the Oathkeeper handler, which needs
// no selectors) its target Services. A reference that is missing from an input that
// holds objects of that kind is recorded as an assumption (the controller would render
// anyway), as the ones the cluster view makes are; the checks report them.
func (r *v1beta1Renderer) checkReferences() {
	if g := r.ar.Spec.Gateway; g != nil {
		ns, name := gatewayRef(*g, r.ar.Metadata.Namespace)
		l := r.ctx.Cluster.Gateway(ns, name)
		r.out.Assumed(l.Assumed, "spec.gateway")
		if !l.Found {
			r.missing("Gateway", "spec.gateway", fmt.Sprintf("Gateway %s/%s is not in the input", ns, name),
				fmt.Sprintf("add it to the input or set gateways[%q] in the function config (%s)",
					ns+"/"+name, r.ctx.Cluster.KnownGateways()))
		}
	}
	if r.istio {
		return
	}
	seen := map[string]bool{}
	for i := range r.ar.Spec.Rules {
		rule := &r.ar.Spec.Rules[i]
		t := r.ar.RuleTarget(rule)
		key := t.LookupNamespace() + "/" + t.Name
		if t.Name == "" || seen[key] {
			continue
		}
		seen[key] = true
		s := r.ctx.Cluster.Service(t.LookupNamespace(), t.Name)
		path := servicePath(i, rule.Service)
		r.out.Assumed(s.Assumed, path)
		if !s.Found {
			r.missing("Service", path, fmt.Sprintf("Service %s is not in the input", key),
				fmt.Sprintf("add it to the input or set serviceSelectors[%q] in the function config", key))
		}
	}
}

// missing records a reference to an object of kind the input does not hold.
func (r *v1beta1Renderer) missing(kind, path, what, fix string) {
	r.out.Assumed(&cluster.Assumption{Kind: kind, Message: what + ", though the input holds others of its kind: if it does not exist in the cluster, the routes will not work (istioctl analyze: IST0101); " + fix}, path)
}

// gatewayRef reads a v1beta1 gateway reference the way Istio does: "<ns>/<name>",
// the service-style "<name>.<ns>.svc.cluster.local", or a bare name in the
// VirtualService's namespace.
func gatewayRef(ref, namespace string) (string, string) {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return ns, name
	}
	if name, rest, ok := strings.Cut(ref, "."); ok {
		ns, _, _ := strings.Cut(rest, ".")
		return ns, name
	}
	return namespace, ref
}
