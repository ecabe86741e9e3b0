package migrate

import (
	"fmt"
	"strings"
	"time"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
)

// Options are what the conversion needs besides the APIRule.
type Options struct {
	// Issuers maps a JWKS URL to the issuer of the tokens it verifies (config key
	// issuers), for Oathkeeper jwt configs without exactly one trusted issuer.
	Issuers map[string]string
	// Istio is set when the v1beta1 JWT handler in effect is istio.
	Istio bool
	// DefaultDomain completes short v1alpha1/v1beta1 hosts.
	DefaultDomain string
	// GatewayDomain returns the domain that completes short v2 hosts on the Gateway
	// "namespace/name" ("" when unknown).
	GatewayDomain func(ref string) string
	// DefaultCors is the CORS policy of v1alpha1/v1beta1 routes of APIRules without one.
	DefaultCors *config.CorsDefaults
}

// Finding is a blocking field or a note, at an attribute path of the old APIRule.
type Finding struct {
	Path, Message string
}

// converter collects what blocks a conversion and what the user should know.
type converter struct {
	opts            Options
	blockers, notes []Finding
}

func (c *converter) block(path, format string, a ...any) {
	c.blockers = append(c.blockers, Finding{Path: path, Message: fmt.Sprintf(format, a...)})
}

func (c *converter) note(path, format string, a ...any) {
	c.notes = append(c.notes, Finding{Path: path, Message: fmt.Sprintf(format, a...)})
}

// Convert builds the v2 APIRule that means what the v1alpha1/v1beta1 APIRule ar
// (v1alpha1 converted with ToV1beta1) means, field by field. It returns the
// blocking fields when some part has no v2 equivalent that keeps its meaning
// (then the result must not be used), and notes about what changed form.
func Convert(ar *apirule.V1beta1APIRule, opts Options) (*apirule.V2APIRule, []Finding, []Finding) {
	c := &converter{opts: opts}
	spec := &apirule.V2Spec{Service: ar.Spec.Service, Timeout: ar.Spec.Timeout}
	if ar.Spec.Gateway != nil {
		gw, ok := apirule.TranslateGateway(*ar.Spec.Gateway, ar.Metadata.Namespace)
		if ok {
			spec.Gateway = &gw
		} else {
			c.block("spec.gateway", "gateway %q has no namespace/name form: write the Gateway as <namespace>/<name>", *ar.Spec.Gateway)
		}
	}
	if ar.Spec.Host != nil {
		spec.Hosts = []string{c.host(*ar.Spec.Host, spec.Gateway)}
	}
	spec.CorsPolicy = c.cors(ar.Spec.CorsPolicy)
	for i := range ar.Spec.Rules {
		spec.Rules = append(spec.Rules, c.rule(fmt.Sprintf("spec.rules[%d]", i), &ar.Spec.Rules[i]))
	}
	v2 := &apirule.V2APIRule{APIVersion: apirule.Group + "/" + apirule.V2, Metadata: ar.Metadata, Spec: spec}
	return v2, c.blockers, c.notes
}

// host keeps a short host short when the v2 Gateway completes it with the same
// domain as the v1beta1 default domain did; otherwise it writes the full host.
func (c *converter) host(host string, gateway *string) string {
	if strings.Contains(host, ".") || c.opts.DefaultDomain == "" {
		return host
	}
	if gateway != nil && c.opts.GatewayDomain != nil && c.opts.GatewayDomain(*gateway) == c.opts.DefaultDomain {
		return host
	}
	full := apirule.HostWithDomain(host, c.opts.DefaultDomain)
	c.note("spec.host", "short host %q written in full as %q: v2 completes short hosts with the domain of the APIRule's own Gateway, not with the default domain", host, full)
	return full
}

// cors carries the policy over; an APIRule without one had the controller's
// default policy, which v2 does not apply, so it is written out.
func (c *converter) cors(p *apirule.V1beta1CorsPolicy) *apirule.V2CorsPolicy {
	if p == nil {
		if c.opts.DefaultCors == nil {
			return nil
		}
		out := &apirule.V2CorsPolicy{CorsPolicy: apirule.CorsPolicy{
			AllowMethods: c.opts.DefaultCors.AllowMethods,
			AllowHeaders: c.opts.DefaultCors.AllowHeaders,
		}}
		for _, o := range c.opts.DefaultCors.AllowOrigins {
			kind, value, _ := strings.Cut(o, ":")
			out.AllowOrigins = append(out.AllowOrigins, map[string]string{kind: value})
		}
		c.note("spec.corsPolicy", "corsPolicy written out: the controller applied its default CORS policy (any origin) to this APIRule, v2 applies none; narrow or remove it if browsers of other origins need no access")
		return out
	}
	out := &apirule.V2CorsPolicy{CorsPolicy: p.CorsPolicy}
	if p.MaxAge != nil {
		d, err := time.ParseDuration(*p.MaxAge)
		switch {
		case err != nil:
			c.block("spec.corsPolicy.maxAge", "%q is not a duration", *p.MaxAge)
		case d%time.Second != 0:
			c.block("spec.corsPolicy.maxAge", "%q is not a whole number of seconds, which v2 requires", *p.MaxAge)
		case d > 0:
			secs := int64(d / time.Second)
			out.MaxAge = &secs
		}
	}
	return out
}

// rule converts one rule; the access strategy decides what it becomes.
func (c *converter) rule(at string, r *apirule.V1beta1Rule) apirule.V2Rule {
	out := apirule.V2Rule{Methods: r.Methods, Service: r.Service, Timeout: r.Timeout}
	path, why := translatePath(r.Path, c.opts.Istio)
	if why != "" {
		c.block(at+".path", "%s", why)
	}
	out.Path = path
	if len(r.AccessStrategies) != 1 || r.AccessStrategies[0] == nil {
		c.block(at+".accessStrategies", "%d access strategies: v2 has exactly one of noAuth, jwt and extAuth per rule (Oathkeeper tried several in order); split the rule or keep one strategy", len(r.AccessStrategies))
		return out
	}
	h := r.AccessStrategies[0]
	hp := at + ".accessStrategies[0]"
	yes := true
	switch h.Handler {
	case apirule.StrategyAllow, apirule.StrategyNoAuth:
		out.NoAuth = &yes
		if len(r.Mutators) > 0 {
			c.note(at+".mutators", "mutators dropped: the controller ignores them on %s rules", h.Handler)
		}
		return out
	case apirule.StrategyNoop, apirule.StrategyAnonymous:
		out.NoAuth = &yes
	case apirule.StrategyJWT:
		out.JWT = c.jwt(hp+".config", h)
	case apirule.StrategyOAuth2Introspection, apirule.StrategyOAuth2ClientCredentials, apirule.StrategyCookieSession:
		c.block(hp+".handler", "%s asks an outside server through Oathkeeper, which v2 does not use: it needs an extAuth rule with an envoyExtAuthzHttp provider of the mesh doing the same check (for example oauth2-proxy): write extAuth: {authorizers: [<provider>]}", h.Handler)
		return out
	case apirule.StrategyUnauthorized:
		c.block(hp+".handler", "unauthorized refuses every request; v2 has no such rule: remove the rule (v2 answers 404 for paths no rule lists)")
		return out
	default:
		c.block(hp+".handler", "handler %s has no v2 equivalent", h.Handler)
		return out
	}
	// Under the Istio handler a jwt rule's mutators become VirtualService headers
	// as they are, templates included; elsewhere Oathkeeper applies them.
	out.Request = c.request(at, r.Mutators, !(c.opts.Istio && h.Handler == apirule.StrategyJWT))
	return out
}

// request turns header and cookie mutators with static values into request
// headers and cookies; every other mutator needs Oathkeeper, and so does a
// template value when Oathkeeper fills it in (viaOathkeeper).
func (c *converter) request(at string, mutators []*apirule.Handler, viaOathkeeper bool) *apirule.Request {
	var req apirule.Request
	for m, h := range mutators {
		mp := fmt.Sprintf("%s.mutators[%d]", at, m)
		if h == nil {
			continue
		}
		switch h.Handler {
		case apirule.MutatorHeader, apirule.MutatorCookie:
			values, err := apirule.DecodeMutator(h, h.Handler)
			if err != nil {
				c.block(mp+".config", "cannot read the %s mutator config: %v", h.Handler, err)
				continue
			}
			for k, v := range values {
				if viaOathkeeper && strings.Contains(v, "{{") {
					c.block(mp+".config", "%s %q is a template Oathkeeper fills from the session (%s); v2 sets only static values", h.Handler, k, v)
				}
			}
			if h.Handler == apirule.MutatorHeader {
				req.Headers = values
			} else {
				req.Cookies = values
			}
		case "noop":
		default:
			c.block(mp+".handler", "mutator %s needs Oathkeeper, which v2 does not use (v2 can only set static request headers and cookies)", h.Handler)
		}
	}
	if len(req.Headers) == 0 && len(req.Cookies) == 0 {
		return nil
	}
	return &req
}
