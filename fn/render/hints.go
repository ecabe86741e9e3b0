package render

import (
	"fmt"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/validation"
)

// The controller's failure messages stay as they are (the conformance suite and users
// who know them from the cluster compare them); at render time, each is followed by
// how to fix it where the user can: which config key, which objects the input holds,
// who holds a taken host. explainV2 and explainV1beta1 add these hints; the
// validation package itself stays message for message the controller's.

// Controller messages that get a hint.
const (
	msgGatewayNotFound  = "Could not get specified Gateway"
	msgExternalNotFound = "Could not find generated Gateway for ExternalGateway"
	msgShortNoGateway   = "Unable to find Gateway"
	msgShortNoWildcard  = "Lowercase RFC 1123 label (short host)"
	msgV2Occupied       = "Host is occupied by another Virtual Service"
	msgV1beta1Occupied  = "This host is occupied by another Virtual Service"
	msgNoDomain         = "Host does not contain a domain name and no default domain name is configured"
	msgServiceNotFound  = "Failed to execute sidecar injection validation, err: services "
	msgNoMeshConfigMap  = "Failed to get Istio ConfigMap"
	msgNoAuthorizer     = "Authorizer not found in Istio ConfigMap mesh data"
)

// explainV2 returns the failures of a v2 APIRule with their hints.
func (c *Context) explainV2(ar *apirule.V2APIRule, gw validation.V2Gateway, failures []validation.Failure) []validation.Failure {
	view := c.Cluster
	occupants := occupantsOf(view, ar.Metadata.Namespace, ar.Metadata.Name)
	return explain(failures, func(f validation.Failure) string {
		switch {
		case f.Message == msgGatewayNotFound && ar.Spec != nil && ar.Spec.Gateway != nil:
			return view.MissingGatewayHint(*ar.Spec.Gateway)
		case strings.HasPrefix(f.Message, msgExternalNotFound):
			return view.MissingGatewayHint(gw.Ref)
		case strings.HasPrefix(f.Message, msgShortNoGateway), strings.HasPrefix(f.Message, msgShortNoWildcard):
			return view.ShortHostHint(gw.Ref)
		case f.Message == msgV2Occupied:
			var i int
			if _, err := fmt.Sscanf(f.Path, ".spec.hosts[%d]", &i); err == nil && i < len(ar.Spec.Hosts) {
				domain := ""
				if apirule.IsShortHost(ar.Spec.Hosts[i]) {
					domain = gw.Domain
				}
				return occupants(f.Path, apirule.ResolveV2Host(ar.Spec.Hosts[i], domain))
			}
		case strings.HasPrefix(f.Message, msgServiceNotFound):
			if rule := v2Rule(ar, f.Path); rule != nil {
				t := apirule.TargetOf(ar.Metadata.Namespace, ar.Spec.Service, rule.Service)
				return view.MissingServiceHint(t.LookupNamespace(), t.Name)
			}
		case f.Message == msgNoMeshConfigMap, f.Message == msgNoAuthorizer:
			if rule := v2Rule(ar, f.Path); rule != nil && rule.ExtAuth != nil && len(rule.ExtAuth.Authorizers) > 0 {
				name := rule.ExtAuth.Authorizers[0]
				if _, n, ok := strings.Cut(f.Path, ".externalAuthorizers."); ok {
					name = n
				}
				return view.ExtAuthHint(name)
			}
		}
		return ""
	})
}

// explainV1beta1 returns the failures of a v1beta1 (or converted v1alpha1) APIRule
// with their hints; domain completes its short host.
func (c *Context) explainV1beta1(ar *apirule.V1beta1APIRule, domain string, failures []validation.Failure) []validation.Failure {
	occupants := occupantsOf(c.Cluster, ar.Metadata.Namespace, ar.Metadata.Name)
	return explain(failures, func(f validation.Failure) string {
		switch {
		case f.Message == msgNoDomain:
			return c.Cluster.MissingDomainHint()
		case f.Message == msgV1beta1Occupied && ar.Spec.Host != nil:
			return occupants(f.Path, apirule.HostWithDomain(*ar.Spec.Host, domain))
		}
		return ""
	})
}

// explain appends each failure's hint to its message. A hint shared by several
// failures (a missing Service that every rule targets) is given once, and the later
// failures point to the first.
func explain(failures []validation.Failure, hint func(validation.Failure) string) []validation.Failure {
	out := make([]validation.Failure, len(failures))
	first := map[string]string{}
	for i, f := range failures {
		out[i] = f
		h := hint(f)
		if h == "" {
			continue
		}
		k := f.Message + "\x00" + h
		if p, ok := first[k]; ok {
			h = "as at " + strings.TrimPrefix(p, ".")
		} else {
			first[k] = f.Path
		}
		out[i].Message += ": " + h
	}
	return out
}

// occupantsOf returns a hint function naming the VirtualServices that occupy a host,
// one per call for the same path, in the order validation reports them.
func occupantsOf(view *cluster.View, ns, name string) func(path, host string) string {
	seen := map[string]int{}
	return func(path, host string) string {
		vss := view.OccupyingVirtualServices(host, ns, name)
		k := seen[path]
		seen[path]++
		if k >= len(vss) {
			return ""
		}
		return cluster.OccupantHint(vss[k], host)
	}
}

// v2Rule returns the rule a path ".spec.rules[i]..." is about, nil if none.
func v2Rule(ar *apirule.V2APIRule, path string) *apirule.V2Rule {
	var i int
	if _, err := fmt.Sscanf(path, ".spec.rules[%d]", &i); err != nil || ar.Spec == nil || i < 0 || i >= len(ar.Spec.Rules) {
		return nil
	}
	return &ar.Spec.Rules[i]
}
