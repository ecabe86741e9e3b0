package validation

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

// V2Gateway is the Istio Gateway a v2/v2alpha1 APIRule is exposed on, as found by
// DiscoverV2Gateway.
type V2Gateway struct {
	// Ref is "<namespace>/<name>" of the Gateway: the VirtualService's gateways entry.
	Ref string
	cluster.GatewayLookup
}

// DiscoverV2Gateway finds the Gateway of the APIRule before validation, as the
// controller does; a failure here is reported alone (the controller writes the status
// and stops). Paths are the controller's: "spec" and "spec.gateway", without the dot.
//
// externalGateway (API Gateway 3.6.0+) names an ExternalGateway CR whose controller
// generates the Istio Gateway "<ns>/<baseName>-gw". The function does not read
// ExternalGateway CRs (the cluster view has no such kind, and they are rarely part of
// a render input): it derives the generated Gateway's name and looks that Gateway up
// instead. So "Could not get specified ExternalGateway" is never reported; a missing
// generated Gateway is.
func DiscoverV2Gateway(view *cluster.View, ar *apirule.V2APIRule) (V2Gateway, []Failure) {
	var spec apirule.V2Spec
	if ar.Spec != nil {
		spec = *ar.Spec
	}
	if (spec.Gateway == nil) == (spec.ExternalGateway == nil) {
		return V2Gateway{}, []Failure{{Path: "spec", Message: "Either gateway or externalGateway must be specified"}}
	}
	if spec.ExternalGateway != nil {
		return discoverExternalGateway(view, ar.Metadata.Namespace, *spec.ExternalGateway)
	}
	ref := *spec.Gateway
	if !apirule.IsGatewayRef(ref) {
		return V2Gateway{}, []Failure{{Message: fmt.Sprintf("expected Gateway %s to be in the namespace/name format", ref)}}
	}
	gw := lookupGateway(view, ref)
	if !gw.Found {
		return gw, []Failure{{Path: "spec.gateway", Message: "Could not get specified Gateway"}}
	}
	return gw, nil
}

func discoverExternalGateway(view *cluster.View, arNamespace, ref string) (V2Gateway, []Failure) {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok {
		ns, name = arNamespace, ref
	}
	gw := lookupGateway(view, ns+"/"+generatedGatewayName(name))
	if !gw.Found {
		return gw, []Failure{{Path: "spec.externalGateway", Message: fmt.Sprintf(
			"Could not find generated Gateway for ExternalGateway (expected: %s)", gw.Ref)}}
	}
	return gw, nil
}

// generatedGatewayName is the name of the Gateway generated for an ExternalGateway:
// "<name>-gw", with names over 45 characters cut to 37 plus "-" and 7 hex digits of
// their SHA-256, so that the result stays a valid resource name.
func generatedGatewayName(name string) string {
	const maxBase, keep, hashLen = 45, 37, 7
	base := name
	if len(name) > maxBase {
		sum := sha256.Sum256([]byte(name))
		base = name[:keep] + "-" + hex.EncodeToString(sum[:])[:hashLen]
	}
	return base + "-gw"
}

func lookupGateway(view *cluster.View, ref string) V2Gateway {
	ns, name, _ := strings.Cut(ref, "/")
	return V2Gateway{Ref: ref, GatewayLookup: view.Gateway(ns, name)}
}

// fqdnRe is an FQDN, optionally with a "*." wildcard label.
var fqdnRe = regexp.MustCompile(`^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]{2,63}$`)

const maxHostLen = 255

func isFQDN(host string) bool { return len(host) <= maxHostLen && fqdnRe.MatchString(host) }

// emptySpecMessage is the controller's failure for a spec without any field set (an
// APIRule converted from a v1beta1 one that v2 cannot express).
const emptySpecMessage = "APIRule in version v2alpha1 contains an empty spec. To troubleshoot, see https://kyma-project.io/#/api-gateway/user/troubleshooting-guides/03-70-empty-apirule-spec."

// V2 runs the controller's validation of a v2/v2alpha1 APIRule whose gateway was
// discovered: the rules, then the hosts, then the gateway reference. The APIRule must
// be in its stored (v2alpha1) form, i.e. a v2 APIRule's empty optional lists dropped.
//
// The sidecar-injection check is reduced to its Service part (the Service must exist
// and have a selector): the Pods it would inspect do not exist at render time.
func V2(view *cluster.View, ar *apirule.V2APIRule, gw V2Gateway) []Failure {
	if ar.Spec == nil || reflect.ValueOf(*ar.Spec).IsZero() {
		return []Failure{{Path: ".spec", Message: emptySpecMessage}}
	}
	var failures []Failure
	failures = append(failures, v2Rules(view, ar)...)
	failures = append(failures, v2Hosts(view, ar, gw)...)
	return append(failures, v2GatewayRef(ar.Spec, gw)...)
}

func v2Rules(view *cluster.View, ar *apirule.V2APIRule) []Failure {
	rules := ar.Spec.Rules
	if len(rules) == 0 {
		return []Failure{{Path: ".spec.rules", Message: "No rules defined"}}
	}
	var failures []Failure
	for i := range rules {
		failures = append(failures, v2Rule(view, ar, i)...)
	}
	failures = append(failures, pathConflicts(rules)...)
	return append(failures, DifferingJWTConfigs(jwtAuthentications(rules))...)
}

func v2Rule(view *cluster.View, ar *apirule.V2APIRule, i int) []Failure {
	rule := &ar.Spec.Rules[i]
	at := fmt.Sprintf(".spec.rules[%d]", i)
	var failures []Failure
	if ar.Spec.Service == nil && rule.Service == nil {
		failures = append(failures, Failure{Path: at + ".service", Message: "The rule must define a service, because no service is defined on spec level"})
	}
	switch {
	case rule.JWT != nil:
		failures = append(failures, jwtConfig(at+".jwt", rule.JWT)...)
	case rule.ExtAuth != nil && rule.ExtAuth.Restrictions != nil:
		// Restrictions are reported under ".extAuth", without ".restrictions", as upstream.
		failures = append(failures, jwtConfig(at+".extAuth", rule.ExtAuth.Restrictions)...)
	}
	failures = append(failures, targetService(view, at, apirule.TargetOf(ar.Metadata.Namespace, ar.Spec.Service, rule.Service))...)
	if rule.ExtAuth != nil {
		failures = append(failures, extAuthProviders(view, at+".extAuth", rule.ExtAuth.Authorizers)...)
	}
	if err := urlpath.CheckOperators(rule.Path); err != nil {
		failures = append(failures, Failure{Path: at + ".path", Message: err.Error()})
	}
	return failures
}

// jwtConfig checks a jwt block (or extAuth restrictions) reported under at.
func jwtConfig(at string, j *apirule.JWT) []Failure {
	var failures []Failure
	if j.Authorizations != nil && len(j.Authorizations) == 0 {
		failures = append(failures, Failure{Path: at + ".authorizations", Message: "authorizations defined, but no configuration exists"})
	} else {
		failures = append(failures, JWTAuthorizations(at+".authorizations", j.Authorizations)...)
	}
	if len(j.Authentications) == 0 {
		return append(failures, Failure{Path: at + ".authentications", Message: "A JWT config must have at least one authentication"})
	}
	return append(failures, JWTAuthentications(at+".authentications", j.Authentications)...)
}

// targetService is the controller's sidecar-injection check: the target Service must
// exist and select Pods, and every Pod it selects must carry an istio-proxy sidecar.
// At render time only Pods that the input carries can be checked (usually none).
func targetService(view *cluster.View, at string, t apirule.Target) []Failure {
	const prefix = "Failed to execute sidecar injection validation, err: "
	if t.Name == "" {
		return []Failure{{Path: at, Message: prefix + "service name is required but missing"}}
	}
	svc := view.Service(t.LookupNamespace(), t.Name)
	if !svc.Found {
		return []Failure{{Path: at, Message: fmt.Sprintf(`%sservices "%s" not found`, prefix, t.Name)}}
	}
	if len(svc.Selector) == 0 {
		return []Failure{{Path: at + ".injection", Message: "Target service label selectors are not defined"}}
	}
	return podsWithoutSidecar(view, at, t.LookupNamespace(), svc.Selector)
}

// podsWithoutSidecar fails once per selected Pod without a sidecar, as upstream.
func podsWithoutSidecar(view *cluster.View, at, ns string, selector map[string]string) []Failure {
	var failures []Failure
	for _, p := range view.PodsWithoutSidecar(ns, selector) {
		failures = append(failures, Failure{Path: at, Message: fmt.Sprintf("Pod %s does not have an injected istio sidecar", p)})
	}
	return failures
}

// extAuthProviders checks that every authorizer is an envoyExtAuthzHttp extension
// provider of the mesh. A problem with the mesh config itself is reported once per
// rule, as upstream stops at it.
func extAuthProviders(view *cluster.View, at string, authorizers []string) []Failure {
	var failures []Failure
	for _, name := range authorizers {
		res := view.ExtAuthProvider(name)
		if res.Message == "" {
			continue
		}
		path := at
		if res.Path != "" {
			path += "." + res.Path
		}
		failures = append(failures, Failure{Path: path, Message: res.Message})
		if res.Path != "externalAuthorizers."+name {
			break
		}
	}
	return failures
}

func pathConflicts(rules []apirule.V2Rule) []Failure {
	c, found := urlpath.FirstConflict(apirule.Routes(rules))
	if !found {
		return nil
	}
	return []Failure{{Path: ".spec.rules", Message: fmt.Sprintf(
		"Path %s with method %s conflicts with at least one of the previous rule paths", c.Path, c.Method)}}
}

// jwtAuthentications lists the authentications of the jwt rules (not of extAuth
// restrictions, which upstream leaves out of the consistency check).
func jwtAuthentications(rules []apirule.V2Rule) []LocatedAuthentication {
	var out []LocatedAuthentication
	for i, r := range rules {
		if r.JWT == nil {
			continue
		}
		for k, a := range r.JWT.Authentications {
			out = append(out, LocatedAuthentication{Path: fmt.Sprintf(".spec.rules[%d].jwt.authentications[%d]", i, k), Authentication: a})
		}
	}
	return out
}

func v2Hosts(view *cluster.View, ar *apirule.V2APIRule, gw V2Gateway) []Failure {
	if len(ar.Spec.Hosts) == 0 {
		return []Failure{{Path: ".spec.hosts", Message: "No hosts defined"}}
	}
	var failures []Failure
	for n, host := range ar.Spec.Hosts {
		at := fmt.Sprintf(".spec.hosts[%d]", n)
		domain := ""
		switch {
		case apirule.IsShortHost(host):
			if msg := shortHostProblem(gw); msg != "" {
				failures = append(failures, Failure{Path: at, Message: msg})
			}
			domain = gw.Domain
		case !isFQDN(host):
			failures = append(failures, Failure{Path: at, Message: "Host must be a valid FQDN or short host name"})
		}
		for range view.OccupyingVirtualServices(apirule.ResolveV2Host(host, domain), ar.Metadata.Namespace, ar.Metadata.Name) {
			failures = append(failures, Failure{Path: at, Message: "Host is occupied by another Virtual Service"})
		}
	}
	return failures
}

// shortHostProblem tells why the Gateway cannot complete a short host, "" if it can.
func shortHostProblem(gw V2Gateway) string {
	switch {
	case !gw.Found:
		return fmt.Sprintf(`Unable to find Gateway "%s"`, gw.Ref)
	case !gw.SingleWildcardHost:
		return "Lowercase RFC 1123 label (short host) is only supported as the APIRule host when selected Gateway has a single host definition matching *.<fqdn> format"
	}
	return ""
}

// v2GatewayRef repeats the controller's final gateway checks. After a successful
// DiscoverV2Gateway they pass; they matter for callers that validate without it.
func v2GatewayRef(spec *apirule.V2Spec, gw V2Gateway) []Failure {
	switch {
	case spec.Gateway == nil && spec.ExternalGateway == nil:
		return []Failure{{Path: ".spec", Message: "Either gateway or externalGateway must be specified"}}
	case spec.Gateway != nil && spec.ExternalGateway != nil:
		return []Failure{{Path: ".spec", Message: "Only one of gateway or externalGateway can be specified"}}
	case gw.Found:
		return nil
	case spec.Gateway != nil:
		return []Failure{{Path: ".spec.gateway", Message: "Gateway not found"}}
	}
	return []Failure{{Path: ".spec.externalGateway", Message: "ExternalGateway not found"}}
}
