package checks

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// Hosts: where the hosts an APIRule's objects serve are not the ones it names.

var wildcardHost = &Check{
	ID: "AF201", Severity: Medium,
	Why: "a wildcard host: Istio matches `*.example.com` as a suffix, case-insensitively, so the routes and policies cover every subdomain at any depth that no other VirtualService claims",
	Fix: "list the hosts",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for _, h := range specHosts(ar) {
				if strings.HasPrefix(h.value, "*") {
					rep.At(ar, h.path, "host %q is a wildcard: Istio matches it as a suffix, case-insensitively, so these routes and policies serve every subdomain at any depth (a.b%s) that no other VirtualService claims; list the hosts",
						h.value, strings.TrimPrefix(h.value, "*"))
				}
			}
		}
	},
}

var caseOnlyHost = &Check{
	ID: "AF202", Severity: High,
	Why: "two APIRules (or an APIRule and a VirtualService of the input) name hosts that differ only in case: the occupied-host check compares strings, Istio lowercases hosts and merges both sets of routes",
	Fix: "spell the host in lower case, and give it to one APIRule",
	Run: func(r *Render, rep *Report) {
		type claim struct {
			host string
			by   fmt.Stringer
		}
		seen := map[string][]claim{}
		for _, o := range r.Input {
			if o.Kind == "VirtualService" && o.Group() == istioNetworking {
				for _, h := range vsHosts(o) {
					seen[strings.ToLower(h)] = append(seen[strings.ToLower(h)], claim{h, o})
				}
			}
		}
		for _, ar := range r.APIRules {
			var mine []located[string]
			for _, o := range ar.Objects {
				if o.Kind == "VirtualService" {
					for _, h := range vsHosts(o) {
						mine = append(mine, located[string]{ar, hostPath(ar, h), h})
					}
				}
			}
			for _, h := range mine {
				for _, c := range seen[strings.ToLower(h.value)] {
					if c.host != h.value {
						rep.At(ar, h.path, "host %q differs only in case from host %q of %s: Istio lowercases both and merges their routes, though the occupied-host check let them pass; use one spelling in lower case",
							h.value, c.host, c.by)
					}
				}
			}
			for _, h := range mine {
				seen[strings.ToLower(h.value)] = append(seen[strings.ToLower(h.value)], claim{h.value, ar})
			}
		}
	},
}

var matchURLHosts = &Check{
	ID: "AF203", Severity: High,
	Why: "an Oathkeeper Rule's match.url also matches another host: a v1beta1 path need not start with `/`, so host `x.example.co` and path `m/.*` match `x.example.com`",
	Fix: "start every path with `/`",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			if ar.V1beta1 == nil {
				continue
			}
			for _, o := range ar.Objects {
				var spec struct {
					Match struct {
						URL string `yaml:"url"`
					} `yaml:"match"`
				}
				if o.Kind != "Rule" || !o.Decode(&spec) {
					continue
				}
				host, path, ok := splitMatchURL(spec.Match.URL)
				if !ok {
					continue
				}
				re, err := syntax.Parse(path, syntax.Perl)
				if err != nil {
					continue
				}
				c, other := first(re.Simplify()).other('/')
				if !other {
					continue
				}
				for i, rule := range ar.V1beta1.Spec.Rules {
					if rule.Path == path {
						rep.At(ar, fmt.Sprintf("spec.rules[%d].path", i), "Oathkeeper Rule %s/%s matches %s: its path %q may start with %q, so it also matches requests for host %s%c...; start the path with \"/\"",
							o.Namespace, o.Name, spec.Match.URL, path, c, host, c)
						break
					}
				}
			}
		}
	},
}

// splitMatchURL splits "<http|https>://host<path>" into host and path.
func splitMatchURL(u string) (host, path string, ok bool) {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", "", false
	}
	open := strings.IndexByte(rest, '<')
	if open < 0 || !strings.HasSuffix(rest, ">") {
		return "", "", false
	}
	return rest[:open], rest[open+1 : len(rest)-1], true
}

// specHosts are the hosts an APIRule names, at their paths.
func specHosts(ar *APIRule) []located[string] {
	var out []located[string]
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil:
		for i, h := range ar.V2.Spec.Hosts {
			out = append(out, located[string]{ar, fmt.Sprintf("spec.hosts[%d]", i), h})
		}
	case ar.V1beta1 != nil && ar.V1beta1.Spec.Host != nil:
		out = append(out, located[string]{ar, "spec.host", *ar.V1beta1.Spec.Host})
	}
	return out
}

// hostPath is the path of the spec host that became VirtualService host h (short
// hosts are completed with a domain): the first that h starts with.
func hostPath(ar *APIRule, h string) string {
	for _, s := range specHosts(ar) {
		if s.value == h || strings.HasPrefix(h, s.value+".") {
			return s.path
		}
	}
	if ar.V2 != nil {
		return "spec.hosts"
	}
	return "spec.host"
}

// vsHosts are the hosts of a VirtualService.
func vsHosts(o *Object) []string {
	var spec struct {
		Hosts []string `yaml:"hosts"`
	}
	o.Decode(&spec)
	return spec.Hosts
}
