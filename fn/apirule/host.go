package apirule

import (
	"regexp"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

// HostWithDomain is the v1alpha1/v1beta1 host the controller serves: spec.host as it
// is when it has a dot, else completed with the default domain. Like the controller
// it appends "." + domain even when the domain is empty ("a."); validation fails such
// an APIRule, so only its occupied-host check ever sees that form.
func HostWithDomain(host, defaultDomain string) string {
	if strings.Contains(host, ".") {
		return host
	}
	return host + "." + defaultDomain
}

// shortHostRe is a lowercase RFC 1123 label: a v2 host the Gateway's domain completes.
var shortHostRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// IsShortHost reports whether a v2 host is a short host (a single DNS label).
func IsShortHost(host string) bool { return shortHostRe.MatchString(host) }

// ResolveV2Host completes a short v2 host with the Gateway's domain; other hosts, and
// short hosts when the domain is unknown, stay as they are.
func ResolveV2Host(host, gatewayDomain string) string {
	if IsShortHost(host) && gatewayDomain != "" {
		return host + "." + gatewayDomain
	}
	return host
}

// Routes returns what the path checks of package urlpath need of v2 rules, in order.
func Routes(rules []V2Rule) []urlpath.Route {
	routes := make([]urlpath.Route, len(rules))
	for i, r := range rules {
		routes[i] = urlpath.Route{Path: r.Path, Methods: r.Methods}
	}
	return routes
}
