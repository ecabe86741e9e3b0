package render

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/istiodrules"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

// istiodCheck reports, as errors at APIRule fields, the values istiod would refuse in
// the objects about to be rendered (see package istiodrules). The renderers call it
// with what they write, already resolved (hosts completed with the domain, the target
// Service's selector), and the field each value comes from.
type istiodCheck struct {
	ctx *Context
	out *Output
}

// check records err at path, once: rules that share the spec's Service would
// otherwise repeat the same refusal.
func (c istiodCheck) check(path string, err error) {
	if err == nil {
		return
	}
	f := Finding{Severity: Error, Path: path, Message: err.Error()}
	if !slices.Contains(c.out.Findings, f) {
		c.out.Findings = append(c.out.Findings, f)
	}
}

// hosts checks the VirtualService hosts; paths[k] is the field of hosts[k].
func (c istiodCheck) hosts(hosts, paths []string) {
	valid := true
	for k, h := range hosts {
		if err := istiodrules.Host(h); err != nil {
			c.check(paths[k], err)
			valid = false
		}
	}
	if valid {
		if k, err := istiodrules.DistinctHosts(hosts); err != nil {
			c.check(paths[k], err)
		}
	}
}

// requestHeaders checks the headers one route sets; path(name) is the field a
// header comes from ("" for headers the function adds itself).
func (c istiodCheck) requestHeaders(headers map[string]string, path func(name string) string) {
	names := slices.Sorted(maps.Keys(headers))
	for _, name := range names {
		c.check(path(name), istiodrules.HeaderName(name))
		c.check(path(name), istiodrules.HeaderValue(headers[name]))
	}
	if err := istiodrules.AuthorityOnce(names); err != nil {
		c.check(path(names[0]), err)
	}
}

// cookies checks the Cookie header the cookies are joined into (cookieHeader), at the
// first cookie that is wrong on its own, else at base (a variable can span cookies).
func (c istiodCheck) cookies(cookies map[string]string, base string) {
	err := istiodrules.HeaderValue(cookieHeader(cookies).Value)
	if err == nil {
		return
	}
	path := base
	for _, name := range slices.Sorted(maps.Keys(cookies)) {
		if istiodrules.HeaderValue(name+"="+cookies[name]) != nil {
			path = fmt.Sprintf("%s[%s]", base, name)
			break
		}
	}
	c.check(path, err)
}

// cors checks an APIRule's corsPolicy (base is its field path).
func (c istiodCheck) cors(p *apirule.CorsPolicy, base string) {
	for i, o := range p.AllowOrigins {
		for _, kind := range slices.Sorted(maps.Keys(o)) {
			c.check(fmt.Sprintf("%s.allowOrigins[%d].%s", base, i, kind), istiodrules.CORSOrigin(kind, o[kind]))
		}
	}
	for i, m := range p.AllowMethods {
		c.check(fmt.Sprintf("%s.allowMethods[%d]", base, i), istiodrules.CORSMethod(m))
	}
	for i, h := range p.AllowHeaders {
		c.check(fmt.Sprintf("%s.allowHeaders[%d]", base, i), istiodrules.CORSHeaderName(h))
	}
	for i, h := range p.ExposeHeaders {
		c.check(fmt.Sprintf("%s.exposeHeaders[%d]", base, i), istiodrules.CORSHeaderName(h))
	}
}

// hasOrigin reports whether the policy allows an origin: without one the controller
// writes no CORS policy at all (virtualservice.NewCORSPolicy), so nothing is checked.
func hasOrigin(p *apirule.CorsPolicy) bool {
	return slices.ContainsFunc(p.AllowOrigins, func(o map[string]string) bool { return len(o) > 0 })
}

// maxAge checks a CORS maxAge that is written (positive).
func (c istiodCheck) maxAge(d time.Duration, path string) {
	if d > 0 {
		c.check(path, istiodrules.CORSMaxAge(d))
	}
}

// uriRegex checks the length of a route's URI regex. Its RE2 validity is checked
// first, by checkRegexes.
func (c istiodCheck) uriRegex(re, path string) {
	if re != "" {
		c.check(path, istiodrules.RegexLength(re))
	}
}

// destination checks the route destination of a rule's target Service.
func (c istiodCheck) destination(t apirule.Target, path string) {
	if t.Name != "" {
		c.check(path, istiodrules.DestinationHost(t.Host()))
	}
}

// selector checks the workload selector taken from the target Service, saying where
// it comes from: the Service in the input or the function config.
func (c istiodCheck) selector(t apirule.Target, selector map[string]string, path string) {
	err := istiodrules.Selector(selector)
	if err == nil {
		return
	}
	key := t.LookupNamespace() + "/" + t.Name
	from := fmt.Sprintf("the Service %s in the input", key)
	if _, ok := c.ctx.Config.ServiceSelectors[key]; ok {
		from = fmt.Sprintf("serviceSelectors[%q] in the function config", key)
	}
	c.check(path, fmt.Errorf("%s: %w", from, err))
}

// authentications checks the JWT rules written into a RequestAuthentication (base is
// the field path of the jwt block they come from).
func (c istiodCheck) authentications(auths []*apirule.JWTAuthentication, base string) {
	for k, a := range auths {
		if a == nil {
			continue
		}
		at := fmt.Sprintf("%s.authentications[%d]", base, k)
		c.check(at, istiodrules.Issuer(a.Issuer, a.JwksURI))
		c.check(at+".jwksUri", istiodrules.JWKSURI(a.JwksURI))
		for h, from := range a.FromHeaders {
			if from != nil {
				c.check(fmt.Sprintf("%s.fromHeaders[%d].name", at, h), istiodrules.TokenLocation("fromHeaders name", from.Name))
			}
		}
		for p, param := range a.FromParams {
			c.check(fmt.Sprintf("%s.fromParams[%d]", at, p), istiodrules.TokenLocation("fromParams entry", param))
		}
	}
}

// authorizations checks the scopes and audiences written into AuthorizationPolicies.
func (c istiodCheck) authorizations(auths []*apirule.JWTAuthorization, base string) {
	for k, a := range auths {
		if a == nil {
			continue
		}
		for s, scope := range a.RequiredScopes {
			c.check(fmt.Sprintf("%s.authorizations[%d].requiredScopes[%d]", base, k, s), istiodrules.Value("required scope", scope))
		}
		for s, aud := range a.Audiences {
			c.check(fmt.Sprintf("%s.authorizations[%d].audiences[%d]", base, k, s), istiodrules.Value("audience", aud))
		}
	}
}

// servicePath is the field a rule's target Service comes from: the rule's own
// service, else the spec's.
func servicePath(rule int, ruleService *apirule.Service) string {
	if ruleService != nil {
		return fmt.Sprintf("spec.rules[%d].service", rule)
	}
	return "spec.service"
}

// checkIstiod checks every value the v2 objects will carry.
func (r *v2Renderer) checkIstiod(out *Output) {
	c := istiodCheck{ctx: r.ctx, out: out}
	spec := r.ar.Spec
	paths := make([]string, len(r.hosts))
	for k := range r.hosts {
		paths[k] = fmt.Sprintf("spec.hosts[%d]", k)
	}
	c.hosts(r.hosts, paths)
	gateway := "spec.gateway"
	if spec.Gateway == nil && spec.ExternalGateway != nil {
		gateway = "spec.externalGateway"
	}
	c.check(gateway, istiodrules.Gateway(r.gw.Ref))
	if spec.CorsPolicy != nil && hasOrigin(&spec.CorsPolicy.CorsPolicy) {
		c.cors(&spec.CorsPolicy.CorsPolicy, "spec.corsPolicy")
	}
	for i := range spec.Rules {
		rule := &spec.Rules[i]
		at := fmt.Sprintf("spec.rules[%d]", i)
		t := r.targets[i]
		c.uriRegex(urlpath.VirtualServiceMatch(rule.Path).Regex, at+".path")
		c.destination(t.Target, servicePath(i, rule.Service))
		c.selector(t.Target, t.selector, servicePath(i, rule.Service))
		c.check(at+".path", istiodrules.PolicyPath(urlpath.Template(rule.Path)))
		if req := rule.Request; req != nil {
			c.requestHeaders(req.Headers, func(name string) string { return fmt.Sprintf("%s.request.headers[%s]", at, name) })
			if len(req.Cookies) > 0 {
				c.cookies(req.Cookies, at+".request.cookies")
			}
		}
		if rule.JWT != nil {
			c.authorizations(rule.JWT.Authorizations, at+".jwt")
		}
		if ext := rule.ExtAuth; ext != nil {
			for j, name := range ext.Authorizers {
				c.check(fmt.Sprintf("%s.extAuth.authorizers[%d]", at, j), istiodrules.Provider(name))
			}
			if ext.Restrictions != nil {
				c.authorizations(ext.Restrictions.Authorizations, at+".extAuth.restrictions")
			}
		}
	}
	for _, ra := range r.requestAuthenticationRules() {
		base := fmt.Sprintf("spec.rules[%d].jwt", ra.rule)
		if spec.Rules[ra.rule].JWT == nil {
			base = fmt.Sprintf("spec.rules[%d].extAuth.restrictions", ra.rule)
		}
		c.authentications(ra.jwt.Authentications, base)
	}
}

// checkIstiod checks every value the v1beta1 objects will carry. The default CORS
// policy and the Oathkeeper proxy come from the function config, which config.Validate
// checks.
func (r *v1beta1Renderer) checkIstiod() {
	c := istiodCheck{ctx: r.ctx, out: r.out}
	c.hosts([]string{r.host}, []string{"spec.host"})
	if g := r.ar.Spec.Gateway; g != nil {
		c.check("spec.gateway", istiodrules.Gateway(*g))
	}
	if p := r.ar.Spec.CorsPolicy; p != nil && hasOrigin(&p.CorsPolicy) {
		c.cors(&p.CorsPolicy, "spec.corsPolicy")
		if p.MaxAge != nil {
			if d, err := time.ParseDuration(*p.MaxAge); err == nil {
				c.maxAge(d, "spec.corsPolicy.maxAge")
			}
		}
	}
	policies := r.istio && r.ar.HasAuthorizationPolicies()
	for i, first := range r.ar.FirstOfPath() {
		rule := &r.ar.Spec.Rules[i]
		at := r.rulePath(i)
		t := r.ar.RuleTarget(rule)
		if first == i {
			r.checkRoute(c, i, rule, t)
		}
		jwt := r.istio && rule.JWTSecured()
		if policies || jwt {
			if s := r.ctx.Cluster.Service(t.LookupNamespace(), t.Name); s.Found {
				c.selector(t, s.Selector, servicePath(i, rule.Service))
			}
		}
		if policies {
			c.check(at+".path", istiodrules.PolicyPath(apirule.PolicyPath(rule.Path)))
		}
		if !jwt {
			continue
		}
		// RequestAuthentications take the authentications of every strategy,
		// AuthorizationPolicies the authorizations of the first. Of rules whose
		// RequestAuthentications merge, the last one is written; validation has made
		// their token locations equal.
		for s, h := range rule.AccessStrategies {
			cfg := jwtConfig(h)
			base := fmt.Sprintf("%s.accessStrategies[%d].config", at, s)
			c.authentications(cfg.Authentications, base)
			if s == 0 {
				c.authorizations(cfg.Authorizations, base)
			}
		}
	}
}

// checkRoute checks the VirtualService route of rule i, the first rule of its path.
func (r *v1beta1Renderer) checkRoute(c istiodCheck, i int, rule *apirule.V1beta1Rule, t apirule.Target) {
	at := r.rulePath(i)
	if !(r.istio && rule.Path == "/*") {
		c.uriRegex(rule.Path, at+".path")
	}
	if rule.Direct(r.istio) {
		c.destination(t, servicePath(i, rule.Service))
	}
	if !r.istio || !rule.JWTSecured() {
		return
	}
	// The route applies the first header and the first cookie mutator with a config.
	for _, kind := range []string{apirule.MutatorHeader, apirule.MutatorCookie} {
		m := slices.IndexFunc(rule.Mutators, func(h *apirule.Handler) bool { return h.Handler == kind && h.HasRawConfig() })
		if m < 0 {
			continue
		}
		mut := fmt.Sprintf("%s.mutators[%d].config", at, m)
		values := rule.MutatorValues(kind)
		if kind == apirule.MutatorHeader {
			c.requestHeaders(values, func(name string) string { return fmt.Sprintf("%s.headers[%s]", mut, name) })
		} else if len(values) > 0 {
			c.cookies(values, mut+".cookies")
		}
	}
}
