package checks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

// Effective access: each JWT rule's own requests, sent without a token, through
// the model of what the whole render lets through (fn/access). Where one passes,
// the rendered objects allow more than the APIRule reads; who opened it decides
// the check.

var openedByOther = &Check{
	ID: "AF103", Severity: High,
	Why: "a request without a token reaches a JWT rule's path, let through by another APIRule's or the input's token-less route or ALLOW policy on the same workload (ALLOW policies add up; v1beta1 Istio-handler policies have no hosts and cover every host of the workload)",
	Fix: "give the other rule a narrower path, other methods or other hosts, or move one of the workloads",
	Run: func(r *Render, rep *Report) { r.reportOpenings(rep, "AF103") },
}

var openedByOwnPolicy = &Check{
	ID: "AF301", Severity: High,
	Why: "a request without a token reaches a JWT rule's path, let through by a token-less rule of the same APIRule: v2 notPaths are collected only up to the first rule with an equal path, and v1beta1 Istio-handler ALLOW policies add up",
	Fix: "order the rules from specific to general, or give the token-less rule a path or methods that leave the JWT rule's requests alone",
	Run: func(r *Render, rep *Report) { r.reportOpenings(rep, "AF301") },
}

var replacedPolicy = &Check{
	ID: "AF302", Severity: High,
	Why: "a path repeated after a longer one: the later token-less rule's AuthorizationPolicy has the same identity as the JWT rule's and replaces it (the controller keeps the last), so the JWT rule's path needs no token",
	Fix: "give each path one rule",
	Run: func(r *Render, rep *Report) { r.reportOpenings(rep, "AF302") },
}

var oathkeeperShadowed = &Check{
	ID: "AF303", Severity: High,
	Why: "Oathkeeper handler: an earlier allow or no_auth rule's route (allow routes match every method) takes a later JWT rule's requests straight to the Service, past Oathkeeper",
	Fix: "put the JWT rule first, or narrow the earlier rule's path",
	Run: func(r *Render, rep *Report) { r.reportOpenings(rep, "AF303") },
}

// opening is a JWT rule request that passes without a token.
type opening struct {
	check, path, message string
	ar                   *APIRule
}

func (r *Render) reportOpenings(rep *Report, id string) {
	for _, o := range r.openings() {
		if o.check == id {
			rep.At(o.ar, o.path, "%s", o.message)
		}
	}
}

// openings evaluates, once per render, every JWT rule's sample requests without a
// token.
func (r *Render) openings() []opening {
	if r.opened != nil {
		return *r.opened
	}
	var out []opening
	idx := r.index()
	for _, ar := range r.APIRules {
		rules := jwtRules(ar)
		if len(rules) == 0 {
			continue
		}
		mesh, objs := r.meshFor(ar, idx)
		hosts := ownHosts(ar)
	rules:
		for _, jr := range rules {
			for _, req := range jr.requests(hosts) {
				d := mesh.Evaluate(req)
				if d.Outcome != access.Allowed {
					continue
				}
				out = append(out, r.classify(ar, jr, req, d, objs))
				continue rules
			}
		}
	}
	r.opened = &out
	return out
}

// jwtRule is a rule that requires a JWT, with what its route matches.
type jwtRule struct {
	index   int
	path    string
	methods []string
	// uri is the full-match regex of the route, or "" for the prefix "/".
	uri string
}

func (j jwtRule) requests(hosts []string) []access.Request {
	paths := []string{"/", "/a"}
	if j.uri != "" {
		paths = samples(j.uri)
	}
	methods := j.methods
	if len(methods) == 0 {
		methods = []string{"GET"}
	}
	var out []access.Request
	for _, h := range hosts {
		if strings.HasPrefix(h, "*.") {
			h = "a" + h[1:]
		}
		for _, m := range methods {
			for _, p := range paths {
				if strings.HasPrefix(p, "/") {
					out = append(out, access.Request{Host: h, Method: m, Path: p})
				}
			}
		}
	}
	return out
}

// jwtRules are the rules of an APIRule that require a JWT and have a route of their
// own (a v1beta1 rule repeating an earlier path has none: AF305 says so).
func jwtRules(ar *APIRule) []jwtRule {
	var out []jwtRule
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil:
		for i, rule := range ar.V2.Spec.Rules {
			if rule.JWT != nil {
				out = append(out, jwtRule{index: i, path: rule.Path, methods: rule.Methods, uri: urlpath.VirtualServiceMatch(rule.Path).Regex})
			}
		}
	case ar.V1beta1 != nil:
		seen := map[string]bool{}
		for i, rule := range ar.V1beta1.Spec.Rules {
			if seen[rule.Path] {
				continue
			}
			seen[rule.Path] = true
			if !rule.JWTSecured() {
				continue
			}
			uri := "^(?:" + rule.Path + ")$"
			if ar.IstioHandler && rule.Path == urlpath.CatchAll {
				uri = ""
			}
			out = append(out, jwtRule{index: i, path: rule.Path, methods: rule.Methods, uri: uri})
		}
	}
	return out
}

// ownHosts are the hosts of the APIRule's VirtualService.
func ownHosts(ar *APIRule) []string {
	for _, o := range ar.Objects {
		if o.Kind == "VirtualService" {
			return vsHosts(o)
		}
	}
	return nil
}

var deciders = regexp.MustCompile(`(ALLOW AuthorizationPolicy|Oathkeeper Rule|VirtualService) ([^/ ]+)/([^ :;]+)`)

// classify names who let the request through: another APIRule or an input object
// (AF103), or the APIRule itself (AF303 under the Oathkeeper handler, AF302 when a
// later token-less rule replaced the JWT rule's policy, else AF301).
func (r *Render) classify(ar *APIRule, jr jwtRule, req access.Request, d access.Decision, objs []*Object) opening {
	o := opening{ar: ar, path: fmt.Sprintf("spec.rules[%d]", jr.index)}
	head := fmt.Sprintf("rule %d requires a JWT on %s, but %s without a token is let through: %s", jr.index, jr.path, req, d.Reason)
	var deciding *Object
	for _, m := range deciders.FindAllStringSubmatch(d.Reason, -1) {
		kind := strings.TrimPrefix(m[1], "ALLOW ")
		kind = strings.TrimPrefix(kind, "Oathkeeper ")
		if i := slices.IndexFunc(objs, func(x *Object) bool { return x.Kind == kind && x.Namespace == m[2] && x.Name == m[3] }); i >= 0 {
			if deciding == nil || objs[i].Owner != ar {
				deciding = objs[i]
			}
		}
	}
	switch {
	case deciding != nil && deciding.Owner != ar:
		o.check, o.message = "AF103", head+fmt.Sprintf(". %s opens it", deciding)
	case ar.V1beta1 != nil && !ar.IstioHandler:
		o.check, o.message = "AF303", head+". An earlier allow or no_auth rule's route takes the request past Oathkeeper"
	case ar.V2 != nil && replacedBy(ar, jr) >= 0:
		o.check, o.message = "AF302", head+fmt.Sprintf(". Rule %d repeats the path and methods without a token, and its AuthorizationPolicy replaced rule %d's", replacedBy(ar, jr), jr.index)
	default:
		o.check, o.message = "AF301", head+". A token-less rule of this APIRule covers the path"
	}
	return o
}

// replacedBy returns the later token-less v2 rule with the JWT rule's path and
// methods, or -1.
func replacedBy(ar *APIRule, jr jwtRule) int {
	rules := ar.V2.Spec.Rules
	for j := jr.index + 1; j < len(rules); j++ {
		if rules[j].JWT == nil && rules[j].Path == jr.path &&
			slices.Equal(slices.Sorted(slices.Values(rules[j].Methods)), slices.Sorted(slices.Values(jr.methods))) {
			return j
		}
	}
	return -1
}

// objectIndex finds the objects that can decide an APIRule's requests.
type objectIndex struct {
	vsByHost    map[string][]*Object
	wildcardVS  []*Object
	byNamespace map[string][]policyEntry
	rules       map[string][]*Object
	otherRules  []*Object
}

// policyEntry is an AuthorizationPolicy or RequestAuthentication with its selector.
type policyEntry struct {
	obj      *Object
	selector map[string]string
}

func (r *Render) index() *objectIndex {
	idx := &objectIndex{vsByHost: map[string][]*Object{}, byNamespace: map[string][]policyEntry{}, rules: map[string][]*Object{}}
	for _, o := range r.Objects() {
		switch o.Kind {
		case "VirtualService":
			for _, h := range vsHosts(o) {
				if strings.HasPrefix(h, "*") {
					idx.wildcardVS = append(idx.wildcardVS, o)
				} else {
					idx.vsByHost[strings.ToLower(h)] = append(idx.vsByHost[strings.ToLower(h)], o)
				}
			}
		case "AuthorizationPolicy", "RequestAuthentication":
			var spec struct {
				Selector struct {
					MatchLabels map[string]string `yaml:"matchLabels"`
				} `yaml:"selector"`
			}
			o.Decode(&spec)
			idx.byNamespace[o.Namespace] = append(idx.byNamespace[o.Namespace], policyEntry{o, spec.Selector.MatchLabels})
		case "Rule":
			var spec struct {
				Match struct {
					URL string `yaml:"url"`
				} `yaml:"match"`
			}
			o.Decode(&spec)
			if host, _, ok := splitMatchURL(spec.Match.URL); ok && !strings.ContainsAny(host, "<>") {
				idx.rules[strings.ToLower(host)] = append(idx.rules[strings.ToLower(host)], o)
			} else {
				idx.otherRules = append(idx.otherRules, o)
			}
		}
	}
	return idx
}

// meshFor builds the model of the objects that can decide the APIRule's requests:
// the VirtualServices and Oathkeeper Rules of its hosts, and the policies that
// select the workloads behind their routes (in their namespaces and the mesh root
// namespace). Restricting the model to them keeps the checks linear in the render.
func (r *Render) meshFor(ar *APIRule, idx *objectIndex) (*access.Mesh, []*Object) {
	var objs []*Object
	seen := map[*Object]bool{}
	add := func(os ...*Object) {
		for _, o := range os {
			if !seen[o] {
				seen[o] = true
				objs = append(objs, o)
			}
		}
	}
	for _, h := range ownHosts(ar) {
		add(idx.vsByHost[strings.ToLower(h)]...)
		add(idx.rules[strings.ToLower(h)]...)
	}
	add(idx.wildcardVS...)
	add(idx.otherRules...)
	for _, w := range r.workloads(objs) {
		for _, ns := range []string{w.namespace, access.RootNamespace} {
			for _, p := range idx.byNamespace[ns] {
				if sameWorkloads(w.namespace, w.labels, p.obj.Namespace, p.selector) && cluster.Selects(p.selector, w.labels) {
					add(p.obj)
				}
			}
		}
	}
	mesh := access.New()
	mesh.Selector = r.Selector
	if r.OathkeeperProxy != "" {
		mesh.OathkeeperProxy = r.OathkeeperProxy
	}
	var kept []*Object
	for _, o := range objs {
		// An object the model cannot read is left out: the checks read what they
		// understand; the output checks report malformed objects.
		d, err := o.modelled()
		mesh.AddDecoded(d)
		if err == nil {
			kept = append(kept, o)
		}
	}
	return mesh, kept
}

// workload is the pods behind a Service: its namespace and selector.
type workload struct {
	namespace string
	labels    map[string]string
}

// workloads are the workloads behind the destinations of the VirtualServices and the
// upstreams of the Oathkeeper Rules among objs.
func (r *Render) workloads(objs []*Object) []workload {
	var out []workload
	seen := map[string]bool{}
	for _, o := range objs {
		for _, svc := range destinations(o) {
			ns, name, ok := strings.Cut(svc, "/")
			if !ok || seen[svc] {
				continue
			}
			seen[svc] = true
			labels := map[string]string{"app": name}
			if r.Selector != nil {
				if l, found := r.Selector(ns, name); found {
					labels = l
				}
			}
			out = append(out, workload{ns, labels})
		}
	}
	return out
}

// destinations are the Services ("namespace/name") a VirtualService routes to or an
// Oathkeeper Rule forwards to.
func destinations(o *Object) []string {
	var spec struct {
		HTTP []struct {
			Route []struct {
				Destination struct {
					Host string `yaml:"host"`
				} `yaml:"destination"`
			} `yaml:"route"`
		} `yaml:"http"`
		Upstream struct {
			URL string `yaml:"url"`
		} `yaml:"upstream"`
	}
	o.Decode(&spec)
	hosts := []string{strings.TrimPrefix(strings.TrimPrefix(spec.Upstream.URL, "http://"), "https://")}
	for _, h := range spec.HTTP {
		for _, rt := range h.Route {
			hosts = append(hosts, rt.Destination.Host)
		}
	}
	var out []string
	for _, h := range hosts {
		h, _, _ = strings.Cut(h, ":")
		h, _, _ = strings.Cut(h, "/")
		if parts := strings.Split(h, "."); len(parts) > 1 && h != "" {
			out = append(out, parts[1]+"/"+parts[0])
		} else if h != "" && o.Kind == "VirtualService" {
			out = append(out, o.Namespace+"/"+h)
		}
	}
	return out
}
