package render

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	networking "istio.io/api/networking/v1"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/authorizationpolicy"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
	"github.com/apirule-krm/apirule-fn/fn/validation"
)

// v2WildcardForwardedHost is x-forwarded-host for a "*." host: the request's own authority.
const v2WildcardForwardedHost = "%REQ(:AUTHORITY)%"

// V2 renders a v2 or v2alpha1 APIRule as the controller's v2alpha1 processing does:
// an unusable JWT handler setting fails every APIRule, v2 included, as upstream; so
// does a malformed kyma-system/kyma-gateway (the controller reads it
// before it looks at the version); then gateway discovery, whose failure is reported
// alone; then validation; then one VirtualService, the AuthorizationPolicies of every
// rule in rule order, and the de-duplicated RequestAuthentications. Any failure means
// no objects.
//
// Each render-time assumption about the Gateway or a target Service is reported once,
// whether or not the APIRule then validates, since an assumption can be the reason
// it does not.
func V2(ctx *Context, ar *apirule.V2APIRule) Output {
	var out Output
	if ctx.jwtHandlerErr != nil {
		out.Fail("", ctx.jwtHandlerErr.Error())
		return out
	}
	if _, err := ctx.Cluster.DefaultDomain(); err != nil {
		out.Fail("", err.Error())
		return out
	}
	ar = v2StoredForm(ar)
	gw, failures := validation.DiscoverV2Gateway(ctx.Cluster, ar)
	out.Assumed(gw.Assumed, "spec.gateway")
	if len(failures) > 0 {
		out.FailAll(ctx.explainV2(ar, gw, failures))
		return out
	}
	r := newV2Renderer(ctx, ar, gw, &out)
	out.FailAll(ctx.explainV2(ar, gw, validation.V2(ctx.Cluster, ar, gw)))
	if out.Failed() {
		return out
	}
	var cors *apirule.CorsPolicy
	if ar.Spec.CorsPolicy != nil {
		cors = &ar.Spec.CorsPolicy.CorsPolicy
	}
	out.checkRegexes(len(ar.Spec.Rules), func(i int) error { return urlpath.CheckRegex(ar.Spec.Rules[i].Path) }, cors)
	if out.Failed() {
		return out
	}
	r.checkIstiod(&out)
	if out.Failed() {
		return out
	}
	out.Objects, out.Hosts, out.V2 = r.objects(), r.hosts, ar
	return out
}

// v2StoredForm returns the APIRule as the controller reads it. The controller
// reconciles the stored v2alpha1 form, and a v2 APIRule gets there through a JSON
// round trip of the v2 Go types, whose omitempty tags drop empty optional lists: for
// v2, `authorizations: []`, `requiredScopes: []` and `audiences: []` count as absent
// (for v2alpha1 they fail validation). The input is not modified.
func v2StoredForm(ar *apirule.V2APIRule) *apirule.V2APIRule {
	if ar.APIVersion != apirule.Group+"/"+apirule.V2 || ar.Spec == nil {
		return ar
	}
	spec := *ar.Spec
	spec.Rules = slices.Clone(spec.Rules)
	for i := range spec.Rules {
		r := &spec.Rules[i]
		r.JWT = v2StoredJWT(r.JWT)
		if r.ExtAuth != nil {
			ext := *r.ExtAuth
			ext.Restrictions = v2StoredJWT(ext.Restrictions)
			r.ExtAuth = &ext
		}
	}
	stored := *ar
	stored.Spec = &spec
	return &stored
}

func v2StoredJWT(j *apirule.JWT) *apirule.JWT {
	if j == nil {
		return nil
	}
	stored := *j
	stored.Authorizations = nil
	for _, a := range j.Authorizations {
		if a != nil {
			a = &apirule.JWTAuthorization{RequiredScopes: v2NilIfEmpty(a.RequiredScopes), Audiences: v2NilIfEmpty(a.Audiences)}
		}
		stored.Authorizations = append(stored.Authorizations, a)
	}
	return &stored
}

func v2NilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// v2Renderer holds what every object of one APIRule is built from.
type v2Renderer struct {
	ctx *Context
	ar  *apirule.V2APIRule
	gw  validation.V2Gateway
	// hosts are the spec hosts with short hosts completed by the Gateway's domain.
	hosts []string
	// targets[i] is the target Service of rule i and its selector.
	targets []v2Target
	routes  []urlpath.Route
}

type v2Target struct {
	apirule.Target
	selector map[string]string
}

// newV2Renderer resolves the hosts and the target Service of every rule, reporting
// each distinct Service assumption once.
func newV2Renderer(ctx *Context, ar *apirule.V2APIRule, gw validation.V2Gateway, out *Output) *v2Renderer {
	r := &v2Renderer{ctx: ctx, ar: ar, gw: gw, routes: apirule.Routes(ar.Spec.Rules)}
	for _, h := range ar.Spec.Hosts {
		r.hosts = append(r.hosts, apirule.ResolveV2Host(h, gw.Domain))
	}
	for i := range ar.Spec.Rules {
		t := v2Target{Target: ar.RuleTarget(&ar.Spec.Rules[i])}
		if t.Name != "" {
			svc := ctx.Cluster.Service(t.LookupNamespace(), t.Name)
			t.selector = svc.Selector
			out.Assumed(svc.Assumed, servicePath(i, ar.Spec.Rules[i].Service))
		}
		r.targets = append(r.targets, t)
	}
	return r
}

// objects returns the VirtualService, then each rule's AuthorizationPolicies, then
// the RequestAuthentications, with keys made unique.
func (r *v2Renderer) objects() []*object.Object {
	objs := []*object.Object{r.virtualService()}
	objs = append(objs, r.authorizationPolicies()...)
	objs = append(objs, r.requestAuthentications()...)
	v2UniqueKeys(objs)
	return objs
}

// v2UniqueKeys appends "#2", "#3", ... to repeated keys. Validation leaves few ways
// to get two rules with the same path and methods (upstream's shadowing check misses
// a path repeated after a longer path that extends it, e.g. "/a/b", "/a", "/a"), but
// names must stay unique.
func v2UniqueKeys(objs []*object.Object) {
	seen := map[string]int{}
	for _, o := range objs {
		id := o.Kind + "\x00" + o.Key
		seen[id]++
		if n := seen[id]; n > 1 {
			o.Key += "#" + strconv.Itoa(n)
		}
	}
}

// newObject wraps an Istio spec with the controller's labels.
func (r *v2Renderer) newObject(apiVersion, kind, namespace, key string, spec protoreflect.ProtoMessage) *object.Object {
	return &object.Object{
		APIVersion: apiVersion,
		Kind:       kind,
		Namespace:  namespace,
		Key:        key,
		Labels:     object.ControllerLabels(r.ar.Metadata.Name, r.ar.Metadata.Namespace),
		Spec:       object.ProtoNode(spec.ProtoReflect()),
	}
}

// virtualService builds the one VirtualService: one route per rule, in rule order,
// always to the target Service, in the APIRule's namespace.
func (r *v2Renderer) virtualService() *object.Object {
	cors := r.corsPolicy()
	routes := make([]virtualservice.Route, len(r.ar.Spec.Rules))
	for i := range r.ar.Spec.Rules {
		routes[i] = r.route(i, cors)
	}
	spec := virtualservice.New(r.hosts, []string{r.gw.Ref}, routes)
	return r.newObject(r.ctx.IstioAPIVersion(virtualservice.Group), virtualservice.Kind, r.ar.Metadata.Namespace, "virtualservice", spec)
}

func (r *v2Renderer) route(i int, cors *networking.CorsPolicy) virtualservice.Route {
	rule := &r.ar.Spec.Rules[i]
	t := r.targets[i]
	uri := urlpath.VirtualServiceMatch(rule.Path)
	return virtualservice.Route{
		Methods:           rule.Methods,
		URIPrefix:         uri.Prefix,
		URIRegex:          uri.Regex,
		DestinationHost:   t.Host(),
		DestinationPort:   t.Port,
		Timeout:           routeTimeout(rule.Timeout, r.ar.Spec.Timeout),
		SetHeaders:        r.requestHeaders(rule),
		RemoveCORSHeaders: true,
		CORS:              cors,
	}
}

// corsPolicy converts spec.corsPolicy; v2 has no controller default, so no policy
// (or one without origins) means no CORS handling at all.
func (r *v2Renderer) corsPolicy() *networking.CorsPolicy {
	p := r.ar.Spec.CorsPolicy
	if p == nil {
		return nil
	}
	var maxAge time.Duration
	if p.MaxAge != nil {
		maxAge = time.Duration(*p.MaxAge) * time.Second
	}
	return virtualservice.NewCORSPolicy(virtualservice.CORSPolicy{
		AllowOrigins:     p.AllowOrigins,
		AllowMethods:     p.AllowMethods,
		AllowHeaders:     p.AllowHeaders,
		ExposeHeaders:    p.ExposeHeaders,
		AllowCredentials: p.AllowCredentials,
		MaxAge:           maxAge,
	})
}

// requestHeaders are x-forwarded-host, then the rule's headers (which may override
// it), then a Cookie header from the rule's cookies (see cookieHeader).
func (r *v2Renderer) requestHeaders(rule *apirule.V2Rule) []virtualservice.Header {
	headers := []virtualservice.Header{{Name: "x-forwarded-host", Value: r.forwardedHost()}}
	if rule.Request == nil {
		return headers
	}
	for _, k := range slices.Sorted(maps.Keys(rule.Request.Headers)) {
		headers = append(headers, virtualservice.Header{Name: k, Value: rule.Request.Headers[k]})
	}
	if len(rule.Request.Cookies) > 0 {
		headers = append(headers, cookieHeader(rule.Request.Cookies))
	}
	return headers
}

// forwardedHost is the first host, or the request authority for a wildcard host.
func (r *v2Renderer) forwardedHost() string {
	if strings.HasPrefix(r.hosts[0], "*.") {
		return v2WildcardForwardedHost
	}
	return r.hosts[0]
}

// v2Policy is an AuthorizationPolicy and its identity in the controller's desired state.
type v2Policy struct {
	obj      *object.Object
	identity string
}

// authorizationPolicies builds the policies of every rule in rule order. The
// controller keeps them in a map keyed by their hash and index labels, so a policy
// whose identity repeats an earlier one replaces it (last writer wins); only rules
// with the same path and methods, which validation mostly rejects, can collide.
func (r *v2Renderer) authorizationPolicies() []*object.Object {
	var out []*object.Object
	at := map[string]int{}
	for i := range r.ar.Spec.Rules {
		for _, p := range r.rulePolicies(i) {
			if j, ok := at[p.identity]; ok {
				out[j] = p.obj
				continue
			}
			at[p.identity] = len(out)
			out = append(out, p.obj)
		}
	}
	return out
}

// v2PolicyIdentity mirrors the controller's hash:index key: the namespace, the
// selector and the operation of the policy (lists compared as sets, as the hash
// does), and the index. Action, provider, sources and conditions are not part of it.
func v2PolicyIdentity(namespace string, p authorizationpolicy.Policy, index int) string {
	set := func(values []string) string {
		return strings.Join(slices.Compact(slices.Sorted(slices.Values(values))), "\x01")
	}
	var selector []string
	for k, v := range p.Selector {
		selector = append(selector, k+"="+v)
	}
	return strings.Join([]string{namespace, set(selector), set(p.Hosts), set(p.Methods), set(p.Paths), set(p.NotPaths), strconv.Itoa(index)}, "\x00")
}

// rulePolicies builds rule i's policies: noAuth one ALLOW (index 0); jwt one ALLOW
// per authorization; extAuth one CUSTOM per authorizer (index = position), then ALLOW
// policies for the restrictions (or a plain one) indexed after the authorizers.
func (r *v2Renderer) rulePolicies(i int) []v2Policy {
	rule := &r.ar.Spec.Rules[i]
	base := authorizationpolicy.Policy{
		Selector: r.targets[i].selector,
		Hosts:    r.hosts,
		Methods:  rule.Methods,
		Paths:    []string{urlpath.Template(rule.Path)},
		NotPaths: urlpath.NotPaths(r.routes, i),
	}
	switch {
	case rule.JWT != nil:
		return r.allowPolicies(i, base, rule.JWT, 0)
	case rule.ExtAuth != nil:
		var aps []v2Policy
		for j, name := range rule.ExtAuth.Authorizers {
			p := base
			p.Provider = name
			aps = append(aps, r.authorizationPolicy(i, p, "custom:"+name, j))
		}
		return append(aps, r.allowPolicies(i, base, rule.ExtAuth.Restrictions, len(rule.ExtAuth.Authorizers))...)
	}
	return r.allowPolicies(i, base, nil, 0)
}

// allowPolicies builds the ALLOW policies of a rule from the ingress gateway, also
// requiring a token of one of jwt's issuers when jwt is set: one policy per
// authorization (index first+k), or a single one (index first) without any.
func (r *v2Renderer) allowPolicies(i int, base authorizationpolicy.Policy, jwt *apirule.JWT, first int) []v2Policy {
	base.Principals = []string{authorizationpolicy.IngressGatewayPrincipal}
	if jwt != nil {
		base.RequestPrincipals = v2RequestPrincipals(jwt)
	}
	if jwt == nil || len(jwt.Authorizations) == 0 {
		return []v2Policy{r.authorizationPolicy(i, base, "allow", first)}
	}
	var aps []v2Policy
	for k, a := range jwt.Authorizations {
		p := base
		p.RequiredScopes, p.Audiences = a.RequiredScopes, a.Audiences
		aps = append(aps, r.authorizationPolicy(i, p, "allow", first+k))
	}
	return aps
}

func v2RequestPrincipals(jwt *apirule.JWT) []string {
	var out []string
	for _, a := range jwt.Authentications {
		out = append(out, a.Issuer+"/*")
	}
	return out
}

// authorizationPolicy wraps one policy of rule i. It lives in the target Service's
// namespace and carries the index label. Its key is the rule's path and (sorted)
// methods plus what the policy is for, so it survives edits of other rules.
func (r *v2Renderer) authorizationPolicy(i int, p authorizationpolicy.Policy, purpose string, index int) v2Policy {
	rule := &r.ar.Spec.Rules[i]
	ns := r.targets[i].Namespace
	methods := slices.Sorted(slices.Values(rule.Methods))
	key := fmt.Sprintf("%s %s %s/%d", strings.Join(methods, ","), rule.Path, purpose, index)
	o := r.newObject(r.ctx.IstioAPIVersion(authorizationpolicy.Group), authorizationpolicy.Kind, ns, key, authorizationpolicy.New(p))
	o.Labels[object.LabelIndex] = strconv.Itoa(index)
	return v2Policy{obj: o, identity: v2PolicyIdentity(ns, p, index)}
}

// requestAuthentications builds one RequestAuthentication per rule with jwt or
// extAuth restrictions (see requestAuthenticationRules), in the target Service's
// namespace; the de-duplication key is also the object's identity.
func (r *v2Renderer) requestAuthentications() []*object.Object {
	var out []*object.Object
	for _, ra := range r.requestAuthenticationRules() {
		t := r.targets[ra.rule]
		spec := requestauthentication.New(t.selector, ra.jwt.Authentications)
		out = append(out, r.newObject(r.ctx.IstioAPIVersion(requestauthentication.Group), requestauthentication.Kind, t.Namespace, ra.key, spec))
	}
	return out
}

// v2RequestAuthentication is a rule whose RequestAuthentication is written, its jwt
// block (jwt, or the extAuth restrictions) and its de-duplication key.
type v2RequestAuthentication struct {
	rule int
	jwt  *apirule.JWT
	key  string
}

// requestAuthenticationRules returns the rules with jwt or extAuth restrictions,
// dropping those whose de-duplication key (selector, issuers, namespace) an earlier
// rule had: the controller writes only the first, so the token locations of the
// others are never written.
func (r *v2Renderer) requestAuthenticationRules() []v2RequestAuthentication {
	var out []v2RequestAuthentication
	seen := map[string]bool{}
	for i, rule := range r.ar.Spec.Rules {
		jwt := rule.JWT
		if jwt == nil && rule.ExtAuth != nil {
			jwt = rule.ExtAuth.Restrictions
		}
		if jwt == nil {
			continue
		}
		t := r.targets[i]
		key := requestauthentication.Key(t.Namespace, t.selector, jwt.Authentications)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v2RequestAuthentication{rule: i, jwt: jwt, key: key})
	}
	return out
}
