package render

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	networking "istio.io/api/networking/v1"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/kinds/authorizationpolicy"
	"github.com/apirule-krm/apirule-fn/fn/kinds/oathkeeperrule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
	"github.com/apirule-krm/apirule-fn/fn/validation"
)

// V1beta1 renders a v1beta1 APIRule, or a v1alpha1 one converted with ToV1beta1, as the
// controller's v1beta1 processing does under the configured JWT handler: one
// VirtualService, Oathkeeper Rules, and under the Istio handler RequestAuthentications
// and AuthorizationPolicies.
//
// Global problems come first, as in the controller: a malformed kyma-gateway, then an
// unsupported JWT handler; then validation; then, under the Istio handler, the Service
// lookups for selectors, whose failure is a processing error without objects. Warnings
// point out where the controller's output would surprise a user; they never change
// the objects.
func V1beta1(ctx *Context, ar *apirule.V1beta1APIRule) Output {
	var out Output
	domain, err := ctx.Cluster.DefaultDomain()
	if err != nil {
		out.Fail("", err.Error())
		return out
	}
	if ctx.jwtHandlerErr != nil {
		out.Fail("", ctx.jwtHandlerErr.Error())
		return out
	}
	istio := ctx.jwtHandler == config.HandlerIstio
	out.FailAll(ctx.explainV1beta1(ar, domain, validation.V1beta1(ar, validation.V1beta1Env{Istio: istio, DefaultDomain: domain, Cluster: ctx.Cluster})))
	if out.Failed() {
		return out
	}
	host := ""
	if ar.Spec.Host != nil {
		host = *ar.Spec.Host
	}
	r := &v1beta1Renderer{ctx: ctx, ar: ar, istio: istio, host: apirule.HostWithDomain(host, domain), out: &out}
	r.render()
	return out
}

type v1beta1Renderer struct {
	ctx   *Context
	ar    *apirule.V1beta1APIRule
	istio bool
	// host is spec.host with the default domain.
	host string
	out  *Output
}

func (r *v1beta1Renderer) render() {
	var cors *apirule.CorsPolicy
	if r.ar.Spec.CorsPolicy != nil {
		cors = &r.ar.Spec.CorsPolicy.CorsPolicy
	}
	r.out.checkRegexes(len(r.ar.Spec.Rules), func(i int) error {
		p := r.ar.Spec.Rules[i].Path
		if r.istio && p == "/*" {
			return nil // a prefix match
		}
		return urlpath.CheckRE2(p, "path %q")
	}, cors)
	if r.out.Failed() || !r.checkReferences() {
		return
	}
	if r.checkIstiod(); r.out.Failed() {
		return
	}
	vs, ok := r.virtualService()
	if !ok {
		return
	}
	r.out.Hosts = []string{r.host}
	var aps, ras []*object.Object
	if r.istio {
		// The controller creates RequestAuthentications before AuthorizationPolicies, so
		// a missing Service is reported from the first.
		if ras, ok = r.requestAuthentications(); !ok {
			r.out.Applied = []*object.Object{vs}
			return
		}
		if aps, ok = r.authorizationPolicies(); !ok {
			r.out.Applied = []*object.Object{vs}
			return
		}
	}
	rules, ok := r.accessRules()
	if !ok {
		return
	}
	r.warn()
	r.out.V1beta1, r.out.IstioHandler = r.ar, r.istio
	r.out.Objects = append(append(append([]*object.Object{vs}, aps...), ras...), rules...)
}

func (r *v1beta1Renderer) labels() map[string]string {
	return object.ControllerLabels(r.ar.Metadata.Name, r.ar.Metadata.Namespace)
}

func (r *v1beta1Renderer) rulePath(i int) string { return fmt.Sprintf("spec.rules[%d]", i) }

// firstOfPath maps each rule to the first rule with the same path (itself when it is
// the first): the controller routes only those, with their own settings.
func (r *v1beta1Renderer) firstOfPath() []int {
	first := map[string]int{}
	out := make([]int, len(r.ar.Spec.Rules))
	for i, rule := range r.ar.Spec.Rules {
		if _, ok := first[rule.Path]; !ok {
			first[rule.Path] = i
		}
		out[i] = first[rule.Path]
	}
	return out
}

func (r *v1beta1Renderer) virtualService() (*object.Object, bool) {
	cors, removeCORS, ok := r.cors()
	if !ok {
		return nil, false
	}
	var routes []virtualservice.Route
	for i, first := range r.firstOfPath() {
		if first != i {
			continue
		}
		route := r.route(&r.ar.Spec.Rules[i])
		route.CORS, route.RemoveCORSHeaders = cors, removeCORS
		routes = append(routes, route)
	}
	var gateways []string
	if g := r.ar.Spec.Gateway; g != nil {
		gateways = []string{*g}
	}
	spec := virtualservice.New([]string{r.host}, gateways, routes)
	return &object.Object{
		APIVersion: r.ctx.IstioAPIVersion(virtualservice.Group), Kind: virtualservice.Kind,
		Namespace: r.ar.Metadata.Namespace, Labels: r.labels(), Key: "virtualservice",
		Spec: object.ProtoNode(spec.ProtoReflect()),
	}, true
}

// cors returns the CORS policy of every route and whether upstream CORS headers are
// removed: the controller's defaults when the APIRule has no corsPolicy, else the
// APIRule's policy with the upstream headers stripped.
func (r *v1beta1Renderer) cors() (*networking.CorsPolicy, bool, bool) {
	p := r.ar.Spec.CorsPolicy
	if p == nil {
		d := r.ctx.Config.DefaultCorsPolicy
		in := virtualservice.CORSPolicy{AllowMethods: d.AllowMethods, AllowHeaders: d.AllowHeaders}
		for _, o := range d.AllowOrigins {
			kind, value, _ := strings.Cut(o, ":")
			in.AllowOrigins = append(in.AllowOrigins, virtualservice.Origin{kind: value})
		}
		return virtualservice.NewCORSPolicy(in), false, true
	}
	in := virtualservice.CORSPolicy{
		AllowOrigins: p.AllowOrigins, AllowMethods: p.AllowMethods, AllowHeaders: p.AllowHeaders,
		ExposeHeaders: p.ExposeHeaders, AllowCredentials: p.AllowCredentials,
	}
	if p.MaxAge != nil {
		d, err := time.ParseDuration(*p.MaxAge)
		if err != nil {
			// The schema accepts durations such as "10 minutes" that the controller
			// cannot decode; it would not process the APIRule at all.
			r.out.Fail("spec.corsPolicy.maxAge", fmt.Sprintf("%q is not a Go duration (such as \"10m\" or \"1h30m\"): the controller cannot read this APIRule", *p.MaxAge))
			return nil, false, false
		}
		in.MaxAge = d
	}
	return virtualservice.NewCORSPolicy(in), true, true
}

func (r *v1beta1Renderer) route(rule *apirule.V1beta1Rule) virtualservice.Route {
	route := virtualservice.Route{URIRegex: rule.Path, Timeout: routeTimeout(rule.Timeout, r.ar.Spec.Timeout)}
	if r.direct(rule) {
		t := r.ar.RuleTarget(rule)
		route.DestinationHost, route.DestinationPort = t.Host(), t.Port
	} else {
		route.DestinationHost, route.DestinationPort = r.ctx.Config.OathkeeperHostPort()
	}
	if r.restrictsMethods(rule) {
		route.Methods = rule.Methods
	}
	forwardedHost := r.host
	if strings.HasPrefix(r.host, "*.") {
		forwardedHost = "%REQ(:AUTHORITY)%"
	}
	route.SetHeaders = []virtualservice.Header{{Name: "x-forwarded-host", Value: forwardedHost}}
	if r.istio {
		if rule.Path == "/*" {
			route.URIPrefix = "/"
		}
		if rule.JWTSecured() {
			route.SetHeaders = append(route.SetHeaders, mutatorHeaders(rule)...)
		}
	}
	return route
}

// direct reports whether the route goes straight to the Service rather than through
// the Oathkeeper proxy: rules with only allow/no_auth, and jwt rules under the Istio
// handler (Istio checks the token).
func (r *v1beta1Renderer) direct(rule *apirule.V1beta1Rule) bool {
	return !rule.SecuredByOathkeeper() || (r.istio && rule.JWTSecured())
}

// restrictsMethods reports whether the route matches the rule's methods only: under
// the Ory handler only no_auth rules do (restricting the others would have broken
// existing APIRules), under the Istio handler every rule without allow.
func (r *v1beta1Renderer) restrictsMethods(rule *apirule.V1beta1Rule) bool {
	if r.istio {
		return !rule.HasStrategy(apirule.StrategyAllow)
	}
	return rule.HasStrategy(apirule.StrategyNoAuth)
}

// mutatorHeaders are the request headers the Istio handler makes from a jwt rule's
// cookie and header mutators, in the controller's order: Cookie first, so a header
// mutator entry named Cookie wins. The controller joins cookies in Go map order
// (random); they are sorted here, as are the headers (a map, so order is moot).
func mutatorHeaders(rule *apirule.V1beta1Rule) []virtualservice.Header {
	var out []virtualservice.Header
	if cookies := rule.MutatorValues(apirule.MutatorCookie); len(cookies) > 0 {
		out = append(out, cookieHeader(cookies))
	}
	headers := rule.MutatorValues(apirule.MutatorHeader)
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		out = append(out, virtualservice.Header{Name: k, Value: headers[k]})
	}
	return out
}

// accessRules are the Oathkeeper Rules: one per rule secured by Oathkeeper (all rules,
// not only routed ones). Under the Istio handler only the noop and
// oauth2_introspection strategies become authenticators, and a rule without them
// gets no Rule.
func (r *v1beta1Renderer) accessRules() ([]*object.Object, bool) {
	var out []*object.Object
	for i := range r.ar.Spec.Rules {
		rule := &r.ar.Spec.Rules[i]
		authn := r.authenticators(rule)
		if len(authn) == 0 {
			continue
		}
		t := r.ar.RuleTarget(rule)
		spec := oathkeeperrule.Rule{
			Host: r.host, Path: rule.Path, Methods: rule.Methods,
			Authenticators: authn, Mutators: rule.Mutators,
			UpstreamURL: "http://" + t.Host() + ":" + strconv.FormatUint(uint64(t.Port), 10),
		}
		if r.checkOathkeeper(i, rule, spec, authn); r.out.Failed() {
			return nil, false
		}
		node, err := spec.Spec()
		if err != nil {
			r.out.Fail(r.rulePath(i), err.Error())
			return nil, false
		}
		out = append(out, &object.Object{
			APIVersion: oathkeeperrule.APIVersion, Kind: oathkeeperrule.Kind,
			Namespace: r.ar.Metadata.Namespace, Labels: r.labels(),
			// The controller's identity of a Rule when paths repeat; unique within the
			// APIRule because validation rejects a repeated path and method.
			Key:  spec.MatchURL() + ":" + fmt.Sprintf("%v", rule.Methods),
			Spec: node,
		})
	}
	return out, true
}

func (r *v1beta1Renderer) authenticators(rule *apirule.V1beta1Rule) []*apirule.Handler {
	if !rule.SecuredByOathkeeper() {
		return nil
	}
	if !r.istio {
		return rule.AccessStrategies
	}
	var out []*apirule.Handler
	for _, h := range rule.AccessStrategies {
		if h.Handler == apirule.StrategyNoop || h.Handler == apirule.StrategyOAuth2Introspection {
			out = append(out, h)
		}
	}
	return out
}

// selector looks up the selector of the rule's Service; nil when the Service has none
// (the policy then applies to the whole namespace). A Service that is not there is the
// controller's processing error (the API server's NotFound text), reported without path.
func (r *v1beta1Renderer) selector(t apirule.Target) (map[string]string, bool) {
	s := r.ctx.Cluster.Service(t.LookupNamespace(), t.Name)
	if !s.Found {
		r.out.Fail("", `services "`+t.Name+`" not found: `+r.ctx.Cluster.MissingServiceHint(t.LookupNamespace(), t.Name))
		return nil, false
	}
	r.out.Assumed(s.Assumed)
	if len(s.Selector) == 0 {
		return nil, true
	}
	return s.Selector, true
}

// jwtConfig reads a strategy config the lenient way the controller's builders do:
// whatever decodes is used, errors are ignored (validation has reported them).
func jwtConfig(h *apirule.Handler) apirule.JWT {
	var c apirule.JWT
	if len(h.Config) > 0 {
		_ = json.Unmarshal(h.Config, &c)
	}
	return c
}

// requestAuthentications makes one RequestAuthentication per jwt rule from the
// authentications of all its strategies, merging identical ones by the controller's key.
func (r *v1beta1Renderer) requestAuthentications() ([]*object.Object, bool) {
	var out []*object.Object
	byKey := map[string]int{}
	for i := range r.ar.Spec.Rules {
		rule := &r.ar.Spec.Rules[i]
		if !rule.JWTSecured() {
			continue
		}
		t := r.ar.RuleTarget(rule)
		sel, ok := r.selector(t)
		if !ok {
			return nil, false
		}
		var auths []*apirule.JWTAuthentication
		for _, h := range rule.AccessStrategies {
			auths = append(auths, nonNil(jwtConfig(h).Authentications)...)
		}
		key := requestauthentication.Key(t.LookupNamespace(), sel, auths)
		obj := &object.Object{
			APIVersion: r.ctx.IstioAPIVersion(requestauthentication.Group), Kind: requestauthentication.Kind,
			Namespace: t.Namespace, Labels: r.labels(), Key: key,
			Spec: object.ProtoNode(requestauthentication.New(sel, auths).ProtoReflect()),
		}
		out = upsert(out, byKey, obj)
	}
	return out, true
}

func nonNil[T any](xs []*T) []*T {
	return slices.DeleteFunc(slices.Clone(xs), func(x *T) bool { return x == nil })
}

// upsert appends obj, or replaces the object with the same Key (last writer wins, as
// in the controller's maps) keeping its position.
func upsert(objs []*object.Object, byKey map[string]int, obj *object.Object) []*object.Object {
	if i, ok := byKey[obj.Key]; ok {
		objs[i] = obj
		return objs
	}
	byKey[obj.Key] = len(objs)
	return append(objs, obj)
}

// authorizationPolicies are made only when some rule uses jwt or no_auth, and then for
// every rule, because ALLOW policies deny whatever they do not list: one per
// authorization of the rule's first strategy (one when there are none).
func (r *v1beta1Renderer) authorizationPolicies() ([]*object.Object, bool) {
	if !r.hasAuthorizationPolicies() {
		return nil, true
	}
	var out []*object.Object
	byKey := map[string]int{}
	for i := range r.ar.Spec.Rules {
		rule := &r.ar.Spec.Rules[i]
		t := r.ar.RuleTarget(rule)
		sel, ok := r.selector(t)
		if !ok {
			return nil, false
		}
		base := r.policy(rule, sel)
		for idx, a := range ruleAuthorizations(rule) {
			p := base
			p.RequiredScopes, p.Audiences = a.RequiredScopes, a.Audiences
			labels := r.labels()
			labels[object.LabelIndex] = strconv.Itoa(idx)
			obj := &object.Object{
				APIVersion: r.ctx.IstioAPIVersion(authorizationpolicy.Group), Kind: authorizationpolicy.Kind,
				Namespace: t.Namespace, Labels: labels, Key: apKey(t.LookupNamespace(), p, idx),
				Spec: object.ProtoNode(authorizationpolicy.New(p).ProtoReflect()),
			}
			out = upsert(out, byKey, obj)
		}
	}
	return out, true
}

// policy is the AuthorizationPolicy of a rule before its authorization is applied.
func (r *v1beta1Renderer) policy(rule *apirule.V1beta1Rule, sel map[string]string) authorizationpolicy.Policy {
	p := authorizationpolicy.Policy{Selector: sel, Methods: rule.Methods, Paths: []string{apPath(rule.Path)}}
	switch {
	case rule.JWTSecured():
		p.RequestPrincipals = issuerPrincipals(rule)
	case rule.SecuredByOathkeeper():
		p.Principals = []string{authorizationpolicy.OathkeeperMaesterPrincipal}
	default:
		p.Principals = []string{authorizationpolicy.IngressGatewayPrincipal}
	}
	return p
}

// apPath is the policy path of a rule: the regex catch-all "/.*" becomes "/*", every
// other path is taken literally.
func apPath(path string) string {
	if path == "/.*" {
		return "/*"
	}
	return path
}

// issuerPrincipals requires a token of one of the issuers of the rule's first jwt strategy.
func issuerPrincipals(rule *apirule.V1beta1Rule) []string {
	var out []string
	for _, h := range rule.AccessStrategies {
		if h.Handler != apirule.StrategyJWT {
			continue
		}
		for _, a := range nonNil(jwtConfig(h).Authentications) {
			out = append(out, a.Issuer+"/*")
		}
		break
	}
	return out
}

// ruleAuthorizations are the authorizations of the rule's first strategy, or one empty
// authorization when it has none.
func ruleAuthorizations(rule *apirule.V1beta1Rule) []*apirule.JWTAuthorization {
	var auths []*apirule.JWTAuthorization
	if len(rule.AccessStrategies) > 0 {
		auths = jwtConfig(rule.AccessStrategies[0]).Authorizations
	}
	if len(auths) == 0 {
		return []*apirule.JWTAuthorization{{}}
	}
	for i, a := range auths {
		if a == nil {
			auths[i] = &apirule.JWTAuthorization{}
		}
	}
	return auths
}

// apKey is the controller's identity of an AuthorizationPolicy: namespace, selector,
// the operation (methods and paths as sets) and the authorization index. Policies with
// the same identity collapse into one.
func apKey(namespace string, p authorizationpolicy.Policy, index int) string {
	sel := make([]string, 0, len(p.Selector))
	for k, val := range p.Selector {
		sel = append(sel, k+"="+val)
	}
	slices.Sort(sel)
	return strings.Join([]string{namespace, strings.Join(sel, ","), strings.Join(slices.Sorted(slices.Values(p.Methods)), ","),
		strings.Join(slices.Sorted(slices.Values(p.Paths)), ","), strconv.Itoa(index)}, "|")
}

// warn reports where the controller's output does something a user would not expect.
func (r *v1beta1Renderer) warn() {
	for i, first := range r.firstOfPath() {
		if first != i {
			r.warnShadowed(i, first)
		} else {
			r.warnRouted(i, &r.ar.Spec.Rules[i])
		}
	}
}

// warnShadowed: rule i repeats the path of rule j, and the controller routes only the
// first rule of a path. Validation keeps their methods apart, so what happens to rule
// i's requests depends on rule j's route.
func (r *v1beta1Renderer) warnShadowed(i, j int) {
	rule, first := &r.ar.Spec.Rules[i], &r.ar.Spec.Rules[j]
	methods := strings.Join(rule.Methods, ", ")
	var effect string
	switch {
	case r.restrictsMethods(first):
		effect = fmt.Sprintf("rule %d's route matches only %s, so requests with %s to this path match no route (404)",
			j, strings.Join(first.Methods, ", "), methods)
	case !r.direct(first):
		effect = fmt.Sprintf("requests with %s take rule %d's route to Oathkeeper (with rule %d's timeout), where rule %d's own Oathkeeper Rule, if any, applies",
			methods, j, j, i)
	default:
		t := r.ar.RuleTarget(first)
		effect = fmt.Sprintf("requests with %s take rule %d's route straight to Service %s/%s, without rule %d's access strategies (%s)",
			methods, j, t.Namespace, t.Name, i, handlerNames(rule.AccessStrategies))
		if r.istio {
			effect += "; only the AuthorizationPolicies of that workload still check them"
		}
	}
	r.out.Warn(r.rulePath(i), fmt.Sprintf(
		"rule %d (path %q) gets no VirtualService route: the controller routes only the first rule of each path, rule %d; %s. Give each rule its own path, or merge rules that share handling into one",
		i, rule.Path, j, effect))
}

// warnRouted checks a rule that has a route.
func (r *v1beta1Renderer) warnRouted(i int, rule *apirule.V1beta1Rule) {
	path := r.rulePath(i)
	if strings.Contains(rule.Path, "/*") && !(r.istio && rule.Path == "/*") {
		r.out.Warn(path+".path", fmt.Sprintf(
			"path %q is a full-match regular expression in the VirtualService, where \"/*\" means zero or more slashes, not everything below: use \".*\" (for example \"/.*\") to match any path",
			rule.Path))
	}
	if len(rule.Mutators) > 0 && !rule.SecuredByOathkeeper() {
		r.out.Warn(path+".mutators", fmt.Sprintf(
			"the mutators of rule %d are ignored: a rule with only allow/no_auth goes straight to the Service, so nothing applies them", i))
	}
	if r.istio && !r.direct(rule) && len(r.authenticators(rule)) == 0 {
		r.out.Warn(path+".accessStrategies", fmt.Sprintf(
			"rule %d (%s) is routed to Oathkeeper, but under the Istio JWT handler the controller creates Oathkeeper Rules only for noop and oauth2_introspection, so Oathkeeper rejects every request: use jwt, no_auth, noop or oauth2_introspection, or the ory handler",
			i, handlerNames(rule.AccessStrategies)))
	}
	if r.istio && r.hasAuthorizationPolicies() {
		r.warnPolicy(i, rule)
	}
}

// hasAuthorizationPolicies reports whether the controller makes AuthorizationPolicies
// for the APIRule: when some rule uses jwt or no_auth.
func (r *v1beta1Renderer) hasAuthorizationPolicies() bool {
	return slices.ContainsFunc(r.ar.Spec.Rules, func(rule apirule.V1beta1Rule) bool {
		return rule.JWTSecured() || rule.HasStrategy(apirule.StrategyNoAuth)
	})
}

// warnPolicy checks the AuthorizationPolicy of a routed rule under the Istio handler.
func (r *v1beta1Renderer) warnPolicy(i int, rule *apirule.V1beta1Rule) {
	path := r.rulePath(i)
	if rule.Path != "/.*" && rule.Path != "/*" && strings.ContainsAny(rule.Path, "*?()\\+[|") {
		r.out.Warn(path+".path", fmt.Sprintf(
			"path %q is a regular expression in the VirtualService, but the AuthorizationPolicy reads it as an Istio path (exact, or a prefix or suffix around one \"*\"; only \"/.*\" is translated, to \"/*\"), so most requests the route accepts are denied (403): use plain paths or \"/.*\" under the Istio JWT handler",
			rule.Path))
	}
	if rule.JWTSecured() {
		r.warnOpened(i, rule)
	}
	t := r.ar.RuleTarget(rule)
	if s := r.ctx.Cluster.Service(t.LookupNamespace(), t.Name); s.Found && len(s.Selector) == 0 {
		r.out.Warn(path+".service", fmt.Sprintf(
			"Service %s/%s has no selector, so the AuthorizationPolicy of rule %d has none either and applies to every workload in namespace %s",
			t.LookupNamespace(), t.Name, i, t.LookupNamespace()))
	}
}

// warnOpened finds the rules whose token-less AuthorizationPolicy (allow or no_auth,
// from the ingress gateway) covers a method and the path of jwt rule i on the same
// workload. ALLOW policies add up and a RequestAuthentication rejects only invalid
// tokens, so such a rule lets requests without a token through to rule i's path:
// the controller's output, but rarely what the author meant.
func (r *v1beta1Renderer) warnOpened(i int, rule *apirule.V1beta1Rule) {
	ti := r.ar.RuleTarget(rule)
	for j := range r.ar.Spec.Rules {
		other := &r.ar.Spec.Rules[j]
		tj := r.ar.RuleTarget(other)
		if j == i || other.SecuredByOathkeeper() || other.JWTSecured() ||
			tj.LookupNamespace() != ti.LookupNamespace() || tj.Name != ti.Name || !apPathCovers(apPath(other.Path), apPath(rule.Path)) {
			continue
		}
		var shared []string
		for _, m := range other.Methods {
			if slices.Contains(rule.Methods, m) {
				shared = append(shared, m)
			}
		}
		if len(shared) == 0 {
			continue
		}
		r.out.Warn(r.rulePath(i), fmt.Sprintf(
			"rule %d requires a JWT on %s %s, but the AuthorizationPolicy of rule %d (%s, path %q) allows %s on that path without a token; ALLOW policies add up, so requests without a token reach Service %s/%s: give rule %d a narrower path or other methods",
			i, strings.Join(shared, ", "), rule.Path, j, handlerNames(other.AccessStrategies), apPath(other.Path),
			strings.Join(shared, ", "), ti.LookupNamespace(), ti.Name, j))
	}
}

// apPathCovers reports whether the Istio policy path p matches every request path
// that q matches: the same path, "*", a prefix "x*" of it, or a suffix "*x" of it.
func apPathCovers(p, q string) bool {
	switch {
	case p == q || p == "*":
		return true
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(strings.TrimSuffix(q, "*"), strings.TrimSuffix(p, "*"))
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(strings.TrimPrefix(q, "*"), strings.TrimPrefix(p, "*"))
	}
	return false
}

func handlerNames(hs []*apirule.Handler) string {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Handler
	}
	return strings.Join(names, ", ")
}
