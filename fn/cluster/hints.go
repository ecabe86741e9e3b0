package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file says, in a failure's own terms, how to fix what a lookup did not find:
// which objects the input does hold, which config key declares the missing one, and
// who holds a host that is taken.

// GatewayNames lists the Gateways the input holds and the config declares, as
// "<ns>/<name>", sorted.
func (v *View) GatewayNames() []string {
	names := slices.Collect(maps.Keys(v.gateways))
	for k := range v.cfg.Gateways {
		if _, ok := v.gateways[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// MissingGatewayHint says that the Gateway ref ("<ns>/<name>") is not known, which
// ones are, and how to declare it.
func (v *View) MissingGatewayHint(ref string) string {
	return fmt.Sprintf("Gateway %s is neither in the input nor in gateways of the function config (%s); add it to the input or set gateways[%q] (its domain)",
		ref, v.KnownGateways(), ref)
}

// KnownGateways says which Gateways the input holds and the config declares.
func (v *View) KnownGateways() string {
	if names := v.GatewayNames(); len(names) > 0 {
		return "known Gateways: " + strings.Join(names, ", ")
	}
	return "no Gateway is known"
}

// ShortHostHint says why the Gateway ref cannot complete a short host and what
// gives it a domain.
func (v *View) ShortHostHint(ref string) string {
	ns, name, _ := strings.Cut(ref, "/")
	if g, ok := v.gateways[key(ns, name)]; ok {
		var hosts []string
		for _, s := range g.servers {
			hosts = append(hosts, s.Hosts...)
		}
		return fmt.Sprintf("Gateway %s in the input has the hosts [%s]; write the full host instead", ref, strings.Join(hosts, ", "))
	}
	if d, ok := v.cfg.Gateways[ref]; ok && d == "" {
		return fmt.Sprintf("gateways[%q] in the function config gives no domain; set it, or write the full host", ref)
	}
	return "write the full host, or " + v.MissingGatewayHint(ref)
}

// MissingDomainHint says where the domain of short v1alpha1/v1beta1 hosts comes from.
func (v *View) MissingDomainHint() string {
	k := key(KymaGatewayNamespace, KymaGatewayName)
	return fmt.Sprintf("write the full host, or set defaultDomain (or gateways[%q]: <domain>) in the function config, or add the Gateway %s to the input", k, k)
}

// ExtAuthHint says how to make the mesh's extension providers known when the
// istio-system/istio ConfigMap is not in the input; "" when it is.
func (v *View) ExtAuthHint(name string) string {
	switch {
	case v.mesh != nil:
		return ""
	case v.cfg.ExtAuthProviders == nil:
		return fmt.Sprintf("the input has no ConfigMap %s/%s: add it, or list the mesh's envoyExtAuthzHttp providers in extAuthProviders in the function config (extAuthProviders: [%s])",
			MeshNamespace, MeshName, name)
	}
	return fmt.Sprintf("extAuthProviders in the function config lists [%s], not %s", strings.Join(v.cfg.ExtAuthProviders, ", "), name)
}

// OccupantHint names who holds a host: the APIRule a VirtualService was generated
// for, or the VirtualService of the input, with its file where known.
func OccupantHint(vs *VirtualService, host string) string {
	who := fmt.Sprintf("VirtualService %s/%s of the input", vs.Namespace, vs.Name)
	if name, ns := vs.Labels["apirule.gateway.kyma-project.io/name"], vs.Labels["apirule.gateway.kyma-project.io/namespace"]; name != "" {
		who = fmt.Sprintf("APIRule %s/%s", ns, name)
		if vs.Name != "" { // unnamed when its APIRule failed after the controller applied it
			who += fmt.Sprintf(" (its VirtualService %s/%s)", vs.Namespace, vs.Name)
		}
	}
	if vs.File != "" {
		who += " in " + vs.File
	}
	return fmt.Sprintf("%s serves %s", who, host)
}

// fileOf is the file an item came from (kpt, kustomize fn run), "" when unknown.
func fileOf(it *yaml.RNode) string {
	a := it.GetAnnotations()
	if p, ok := a[kioutil.PathAnnotation]; ok {
		return p
	}
	//lint:ignore SA1019 older kpt and kustomize versions set only the legacy config.k8s.io path
	return a[kioutil.LegacyPathAnnotation]
}

// MissingServiceHint says how to make a missing Service known.
func (v *View) MissingServiceHint(ns, name string) string {
	return fmt.Sprintf("add the Service %s/%s to the input or set serviceSelectors[%q] in the function config", ns, name, key(ns, name))
}
