package checks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/istiodrules"
)

// The checks of this file follow a generated VirtualService the way istiod routes it:
// to the Gateway it binds to, through its http routes in order, to the Service it
// sends requests to. Each finding is one Istio's analyzers (`istioctl analyze`) make
// on the output too; the function makes it where it can know from its input, at the
// APIRule field. The message names the analyzer's code. test/istio runs the analyzers
// over the conformance cases and shows that every such finding is reported here.

var hostNotOnGateway = &Check{
	ID: "AF601", Severity: Low,
	Why: "no server of the Gateway (a Gateway of the input) lists the host: the ingress gateway answers 404 for it (istioctl analyze IST0132)",
	Fix: "use a host the Gateway's servers list, or add the host to a server of the Gateway",
	Run: func(r *Render, rep *Report) {
		gateways := gatewayHosts(r)
		for _, ar := range r.APIRules {
			for _, vs := range virtualServices(ar) {
				for _, ref := range vs.spec.Gateways {
					key := gatewayKey(ref, vs.Namespace)
					served, ok := gateways[key]
					if !ok {
						continue
					}
					for _, h := range vs.spec.Hosts {
						if !servesHost(served, vs.Namespace, h) {
							rep.At(ar, hostPath(ar, h), "Gateway %s serves no host matching %s (its servers list %s): requests for %s get 404 (istioctl analyze IST0132)",
								key, h, strings.Join(served, ", "), h)
						}
					}
				}
			}
		}
	},
}

var legacyGatewayName = &Check{
	ID: "AF602", Severity: Low,
	Why: "the gateway is written in the legacy `name.namespace.svc.cluster.local` form, which istiod still reads but warns about (istioctl analyze IST0133)",
	Fix: "write the gateway as `namespace/name`",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			seen := map[string]bool{}
			for _, vs := range virtualServices(ar) {
				for _, ref := range vs.spec.Gateways {
					if strings.Contains(ref, "/") || !strings.Contains(ref, ".") || seen[ref] {
						continue
					}
					seen[ref] = true
					rep.At(ar, "spec.gateway", "gateway %q uses the legacy name.namespace.svc.cluster.local form; istiod reads it as %s and warns (istioctl analyze IST0133): write %q",
						ref, gatewayKey(ref, vs.Namespace), gatewayKey(ref, vs.Namespace))
				}
			}
		}
	},
}

var portNotOnService = &Check{
	ID: "AF603", Severity: Low,
	Why: "a route sends requests to a port the Service (in the input) does not expose: they fail with 503 (istioctl analyze IST0101)",
	Fix: "use one of the Service's ports, or add the port to the Service",
	Run: func(r *Render, rep *Report) {
		ports := servicePorts(r)
		for _, ar := range r.APIRules {
			seen := map[string]bool{}
			for _, vs := range virtualServices(ar) {
				for _, d := range vs.destinations() {
					key := serviceKey(d.Host, vs.Namespace)
					exposed, ok := ports[key]
					dest := fmt.Sprintf("%s:%d", d.Host, d.Port.Number)
					if !ok || d.Port.Number == 0 || slices.Contains(exposed, d.Port.Number) || seen[dest] {
						continue
					}
					seen[dest] = true
					rep.At(ar, servicePortPath(ar, key), "the route goes to %s, but Service %s exposes only port(s) %s: requests fail (istioctl analyze IST0101)",
						dest, key, joinPorts(exposed))
				}
			}
		}
	},
}

var unreachableRoute = &Check{
	ID: "AF604", Severity: Low,
	Why: "a route of the VirtualService is never used, because an earlier route matches every request it matches (istioctl analyze IST0130)",
	Fix: "remove the rule or make its path or methods differ from the earlier one",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for _, vs := range virtualServices(ar) {
				for _, u := range unreachable(vs.spec.HTTP) {
					rep.At(ar, "spec.rules", "route %d of VirtualService %s/%s (hosts %s) is never used: %s (istioctl analyze IST0130)",
						u.index, vs.Namespace, vs.Name, strings.Join(vs.spec.Hosts, ", "), u.reason)
				}
			}
		}
	},
}

// virtualServiceSpec is what the checks read of a VirtualService.
type virtualServiceSpec struct {
	Hosts    []string    `yaml:"hosts"`
	Gateways []string    `yaml:"gateways"`
	HTTP     []httpRoute `yaml:"http"`
}

type httpRoute struct {
	// Match is decoded generically: routes are compared match for match, as istiod
	// compares their JSON.
	Match []map[string]any `yaml:"match"`
	Route []struct {
		Destination destination `yaml:"destination"`
	} `yaml:"route"`
}

type destination struct {
	Host string `yaml:"host"`
	Port struct {
		Number uint32 `yaml:"number"`
	} `yaml:"port"`
}

type generatedVS struct {
	*Object
	spec virtualServiceSpec
}

// virtualServices are the generated VirtualServices of an APIRule, decoded.
func virtualServices(ar *APIRule) []generatedVS {
	var out []generatedVS
	for _, o := range ar.Objects {
		if o.Group() != istioNetworking || o.Kind != "VirtualService" {
			continue
		}
		vs := generatedVS{Object: o}
		if o.Decode(&vs.spec) {
			out = append(out, vs)
		}
	}
	return out
}

func (vs generatedVS) destinations() []destination {
	var out []destination
	for _, h := range vs.spec.HTTP {
		for _, r := range h.Route {
			out = append(out, r.Destination)
		}
	}
	return out
}

// gatewayKey resolves a VirtualService's gateway reference as istiod does
// (pilot/pkg/model resolveGatewayName): "ns/name", "./name" in the VirtualService's
// namespace, the legacy "name.ns[.svc.cluster.local]", or a bare name in the
// VirtualService's namespace.
func gatewayKey(ref, vsNamespace string) string {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		if ns == "." {
			ns = vsNamespace
		}
		return ns + "/" + name
	}
	if name, rest, ok := strings.Cut(ref, "."); ok {
		ns, _, _ := strings.Cut(rest, ".")
		return ns + "/" + name
	}
	return vsNamespace + "/" + ref
}

// gatewayHosts maps each Gateway of the input ("ns/name") to the hosts its servers
// list, with the namespace forms normalised as istiod merges them: "./h" becomes
// "<gateway ns>/h", "*/h" becomes "h".
func gatewayHosts(r *Render) map[string][]string {
	out := map[string][]string{}
	for _, o := range r.Input {
		if o.Group() != istioNetworking || o.Kind != "Gateway" {
			continue
		}
		var spec struct {
			Servers []struct {
				Hosts []string `yaml:"hosts"`
			} `yaml:"servers"`
		}
		o.Decode(&spec)
		hosts := []string{}
		for _, s := range spec.Servers {
			for _, h := range s.Hosts {
				if ns, name, ok := strings.Cut(h, "/"); ok {
					switch ns {
					case ".":
						h = o.Namespace + "/" + name
					case "*":
						h = name
					}
				}
				hosts = append(hosts, h)
			}
		}
		out[o.Namespace+"/"+o.Name] = hosts
	}
	return out
}

// servesHost reports whether one of a Gateway's hosts matches the VirtualService host
// h, as istiod binds them (pilot/pkg/networking/core pickMatchingGatewayHosts): a
// "ns/host" entry only for VirtualServices of that namespace, then host names
// compared case-sensitively, a leading "*" matching any suffix on either side.
func servesHost(gatewayHosts []string, vsNamespace, h string) bool {
	for _, g := range gatewayHosts {
		if ns, name, ok := strings.Cut(g, "/"); ok {
			if ns != vsNamespace {
				continue
			}
			g = name
		}
		if istiodrules.HostsMatch(g, h) {
			return true
		}
	}
	return false
}

// serviceKey is "ns/name" of the Service a destination host names: the cluster-local
// "name.ns.svc.cluster.local" (or "name.ns", "name.ns.svc"), or a bare name in the
// VirtualService's namespace; "" for any other host.
func serviceKey(host, vsNamespace string) string {
	parts := strings.Split(host, ".")
	switch {
	case len(parts) == 1:
		return vsNamespace + "/" + host
	case len(parts) == 2, len(parts) == 3 && parts[2] == "svc",
		len(parts) == 5 && strings.Join(parts[2:], ".") == "svc.cluster.local":
		return parts[1] + "/" + parts[0]
	}
	return ""
}

// servicePorts maps each Service of the input ("ns/name") to its ports.
func servicePorts(r *Render) map[string][]uint32 {
	out := map[string][]uint32{}
	for _, o := range r.Services {
		var spec struct {
			Ports []struct {
				Port uint32 `yaml:"port"`
			} `yaml:"ports"`
		}
		o.Decode(&spec)
		ports := []uint32{}
		for _, p := range spec.Ports {
			ports = append(ports, p.Port)
		}
		out[o.Namespace+"/"+o.Name] = ports
	}
	return out
}

// servicePortPath is the port field of the APIRule that names the Service: the first
// rule service that resolves to it, else the spec's service.
func servicePortPath(ar *APIRule, key string) string {
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil:
		for i := range ar.V2.Spec.Rules {
			if rule := &ar.V2.Spec.Rules[i]; rule.Service != nil && targetKey(ar.V2.RuleTarget(rule).Namespace, rule.Service.NameOrEmpty()) == key {
				return fmt.Sprintf("spec.rules[%d].service.port", i)
			}
		}
	case ar.V1beta1 != nil:
		for i := range ar.V1beta1.Spec.Rules {
			if rule := &ar.V1beta1.Spec.Rules[i]; rule.Service != nil && targetKey(ar.V1beta1.RuleTarget(rule).Namespace, rule.Service.NameOrEmpty()) == key {
				return fmt.Sprintf("spec.rules[%d].service.port", i)
			}
		}
	}
	return "spec.service.port"
}

func targetKey(ns, name string) string { return ns + "/" + name }

func joinPorts(ports []uint32) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ", ")
}

// unusedRoute is a route istiod's validation warns about.
type unusedRoute struct {
	index  int
	reason string
}

// unreachable finds the http routes istiod's validation reports as never used
// (pkg/config/validation analyzeUnreachableHTTPRules, the warnings istioctl analyze
// shows as IST0130): a route after a route without matches, and a route whose every
// match an earlier route already has.
func unreachable(routes []httpRoute) []unusedRoute {
	var out []unusedRoute
	seen := map[string]bool{}
	catchAll := -1
	for i, r := range routes {
		switch {
		case catchAll >= 0 && len(r.Match) == 0:
			out = append(out, unusedRoute{i, fmt.Sprintf("route %d before it has no matches, only the last route may", catchAll)})
		case catchAll >= 0:
			out = append(out, unusedRoute{i, fmt.Sprintf("route %d before it has no matches and takes every request", catchAll)})
		case len(r.Match) == 0:
			catchAll = i
		default:
			dup := 0
			for _, m := range r.Match {
				b, _ := json.Marshal(m)
				if seen[string(b)] {
					dup++
				}
				seen[string(b)] = true
			}
			if dup == len(r.Match) {
				out = append(out, unusedRoute{i, "every match of it is a match of an earlier route"})
			}
		}
	}
	return out
}
