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
	if r.out.Failed() {
		return
	}
	r.checkReferences()
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
	r.out.V1beta1, r.out.IstioHandler = r.ar, r.istio
	r.out.Objects = append(append(append([]*object.Object{vs}, aps...), ras...), rules...)
}

func (r *v1beta1Renderer) labels() map[string]string {
	return object.ControllerLabels(r.ar.Metadata.Name, r.ar.Metadata.Namespace)
}

func (r *v1beta1Renderer) rulePath(i int) string { return fmt.Sprintf("spec.rules[%d]", i) }

func (r *v1beta1Renderer) virtualService() (*object.Object, bool) {
	cors, removeCORS, ok := r.cors()
	if !ok {
		return nil, false
	}
	var routes []virtualservice.Route
	for i, first := range r.ar.FirstOfPath() {
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
	if rule.Direct(r.istio) {
		t := r.ar.RuleTarget(rule)
		route.DestinationHost, route.DestinationPort = t.Host(), t.Port
	} else {
		route.DestinationHost, route.DestinationPort = r.ctx.Config.OathkeeperHostPort()
	}
	if rule.RestrictsMethods(r.istio) {
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
		authn := rule.OathkeeperAuthenticators(r.istio)
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

// selector looks up the selector of the rule's Service; nil when the Service has none
// (the policy then applies to the whole namespace). A Service that is not there is the
// controller's processing error (the API server's NotFound text), reported without path.
func (r *v1beta1Renderer) selector(t apirule.Target, path string) (map[string]string, bool) {
	s := r.ctx.Cluster.Service(t.LookupNamespace(), t.Name)
	if !s.Found {
		r.out.Fail("", `services "`+t.Name+`" not found: `+r.ctx.Cluster.MissingServiceHint(t.LookupNamespace(), t.Name))
		return nil, false
	}
	r.out.Assumed(s.Assumed, path)
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
		sel, ok := r.selector(t, servicePath(i, rule.Service))
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
	if !r.ar.HasAuthorizationPolicies() {
		return nil, true
	}
	var out []*object.Object
	byKey := map[string]int{}
	for i := range r.ar.Spec.Rules {
		rule := &r.ar.Spec.Rules[i]
		t := r.ar.RuleTarget(rule)
		sel, ok := r.selector(t, servicePath(i, rule.Service))
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
	p := authorizationpolicy.Policy{Selector: sel, Methods: rule.Methods, Paths: []string{apirule.PolicyPath(rule.Path)}}
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
