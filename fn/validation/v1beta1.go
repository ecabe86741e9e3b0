package validation

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
)

// V1beta1Env is what the v1beta1 validation reads besides the APIRule.
type V1beta1Env struct {
	// Istio selects the checks of the Istio JWT handler; false means the Oathkeeper
	// ("ory") handler.
	Istio bool
	// DefaultDomain completes short hosts; "" when none is configured.
	DefaultDomain string
	// Cluster answers the occupied-host and Service lookups.
	Cluster *cluster.View
}

// V1beta1 validates a v1beta1 APIRule (or a converted v1alpha1 one) as the
// controller's v1beta1 validator does, in the controller's order, with its
// messages and attribute paths.
//
// The sidecar-injection check of jwt rules under the Istio handler lists Pods; there
// are none at render time, so only its render-time part (a Service without selector)
// is checked.
func V1beta1(ar *apirule.V1beta1APIRule, env V1beta1Env) []Failure {
	v := &v1beta1Validator{ar: ar, env: env}
	v.host()
	v.rules()
	return v.failures
}

type v1beta1Validator struct {
	ar       *apirule.V1beta1APIRule
	env      V1beta1Env
	failures []Failure
}

func (v *v1beta1Validator) fail(path, message string) {
	v.failures = append(v.failures, Failure{Path: path, Message: message})
}

// host checks spec.host. The service block-list, domain allow-list and host block-list
// of the controller are empty since the module era, so they never fail.
func (v *v1beta1Validator) host() {
	const path = ".spec.host"
	if v.ar.Spec.Host == nil {
		v.fail(path, "Host was nil")
		return
	}
	host := *v.ar.Spec.Host
	if !strings.Contains(host, ".") && v.env.DefaultDomain == "" {
		v.fail(path, "Host does not contain a domain name and no default domain name is configured")
	}
	host = apirule.HostWithDomain(host, v.env.DefaultDomain)
	md := v.ar.Metadata
	for range v.env.Cluster.OccupyingVirtualServices(host, md.Namespace, md.Name) {
		v.fail(path, "This host is occupied by another Virtual Service")
	}
}

func (v *v1beta1Validator) rules() {
	const path = ".spec.rules"
	rules := v.ar.Spec.Rules
	if len(rules) == 0 {
		v.fail(path, "No rules defined")
		return
	}
	if hasPathAndMethodDuplicates(rules) {
		v.fail(path, "multiple rules defined for the same path and method")
	}
	for i := range rules {
		v.rule(fmt.Sprintf("%s[%d]", path, i), &rules[i])
	}
	if v.env.Istio {
		v.jwtConsistency(path, rules)
	}
}

// hasPathAndMethodDuplicates mirrors the controller, including that with more than one
// rule a method listed twice in the same rule counts as a duplicate too.
func hasPathAndMethodDuplicates(rules []apirule.V1beta1Rule) bool {
	if len(rules) < 2 {
		return false
	}
	seen := map[string]bool{}
	for _, r := range rules {
		for _, m := range r.Methods {
			k := r.Path + ":" + m
			if seen[k] {
				return true
			}
			seen[k] = true
		}
	}
	return false
}

// rule validates one rule. The controller validates access strategies only when the
// rule has a Service to send traffic to; a rule without one is reported and its
// strategies go unchecked.
func (v *v1beta1Validator) rule(path string, r *apirule.V1beta1Rule) {
	if v.ar.Spec.Service == nil && r.Service == nil {
		v.fail(path+".service", "No service defined with no main service on spec level")
	} else {
		v.accessStrategies(path+".accessStrategies", r)
	}
	if v.env.Istio && r.JWTSecured() {
		v.mutators(path+".mutators", r.Mutators)
	}
}

// Strategies that must be a rule's only strategy, in the order the controller checks them.
var (
	oryExclusive   = []string{apirule.StrategyAllow, apirule.StrategyNoAuth, apirule.StrategyNoop}
	istioExclusive = []string{apirule.StrategyAllow, apirule.StrategyNoAuth, apirule.StrategyJWT, apirule.StrategyNoop}
)

func (v *v1beta1Validator) accessStrategies(path string, r *apirule.V1beta1Rule) {
	strategies := r.AccessStrategies
	if len(strategies) == 0 {
		v.fail(path, "No accessStrategies defined")
		return
	}
	exclusive := oryExclusive
	if v.env.Istio {
		exclusive = istioExclusive
	}
	if len(strategies) > 1 {
		for _, name := range exclusive {
			if j := slices.IndexFunc(strategies, func(h *apirule.Handler) bool { return h.Handler == name }); j >= 0 {
				// The controller appends ".accessStrategies" to a path that already ends with it.
				v.fail(fmt.Sprintf("%s.accessStrategies[%d].handler", path, j),
					name+" access strategy is not allowed in combination with other access strategies")
			}
		}
	}
	if mixesSecureAndInsecure(strategies) {
		v.fail(path, "Secure access strategies cannot be used in combination with unsecure access strategies")
	}
	for j, h := range strategies {
		v.accessStrategy(fmt.Sprintf("%s[%d]", path, j), h, r)
	}
}

func mixesSecureAndInsecure(strategies []*apirule.Handler) bool {
	var secure, insecure bool
	for _, h := range strategies {
		switch h.Handler {
		case apirule.StrategyOAuth2ClientCredentials, apirule.StrategyOAuth2Introspection, apirule.StrategyJWT, apirule.StrategyCookieSession:
			secure = true
		case apirule.StrategyNoop, apirule.StrategyNoAuth, apirule.StrategyAllow, apirule.StrategyUnauthorized, apirule.StrategyAnonymous:
			insecure = true
		}
	}
	return secure && insecure
}

func (v *v1beta1Validator) accessStrategy(path string, h *apirule.Handler, r *apirule.V1beta1Rule) {
	switch h.Handler {
	case apirule.StrategyAllow, apirule.StrategyNoAuth, apirule.StrategyNoop, apirule.StrategyUnauthorized, apirule.StrategyAnonymous, apirule.StrategyCookieSession:
		if h.HasConfig() {
			v.fail(path+".config", "strategy: "+h.Handler+" does not support configuration")
		}
	case apirule.StrategyOAuth2ClientCredentials, apirule.StrategyOAuth2Introspection:
		// Oathkeeper checks these configs, the controller does not.
	case apirule.StrategyJWT:
		if v.env.Istio {
			v.injection(path, r)
			v.istioJWT(path, h)
		} else {
			v.oryJWT(path, h)
		}
	default:
		v.fail(path+".handler", "Unsupported accessStrategy: "+h.Handler)
	}
}

// injection is the controller's sidecar-injection check of a jwt rule: a Service that
// exists but has no selector fails (the doubled ".injection" is the controller's), and
// so does each selected Pod without a sidecar. A missing Service makes the controller
// check every Pod of the namespace (an empty selector). Only Pods in the input can be
// checked.
func (v *v1beta1Validator) injection(path string, r *apirule.V1beta1Rule) {
	t := v.ar.RuleTarget(r)
	s := v.env.Cluster.Service(t.LookupNamespace(), t.Name)
	if s.Found && len(s.Selector) == 0 {
		v.fail(path+".injection.injection", "Target service label selectors are not defined")
		return
	}
	for _, f := range podsWithoutSidecar(v.env.Cluster, path+".injection", t.LookupNamespace(), s.Selector) {
		v.fail(f.Path, f.Message)
	}
}

// oryJWTConfig is the part of an Oathkeeper jwt authenticator config the controller checks.
type oryJWTConfig struct {
	TrustedIssuers []string `json:"trusted_issuers,omitempty"`
	JWKSURLs       []string `json:"jwks_urls,omitempty"`
	RequiredScope  []string `json:"required_scope,omitempty"`
	TargetAudience []string `json:"target_audience,omitempty"`
}

func (v *v1beta1Validator) oryJWT(path string, h *apirule.Handler) {
	var cfg oryJWTConfig
	if !v.readConfig(path, h, &cfg) {
		return
	}
	var istio apirule.JWT
	if err := json.Unmarshal(h.Config, &istio); err != nil {
		v.fail(path+".config", "Can't read json: "+jsonError(err))
	} else if len(istio.Authentications) > 0 {
		v.fail(path+".config.authentications", "Configuration for authentications is not supported with Ory handler")
	}
	v.uris(path+".config.trusted_issuers", cfg.TrustedIssuers)
	v.uris(path+".config.jwks_urls", cfg.JWKSURLs)
}

func (v *v1beta1Validator) uris(path string, values []string) {
	for k, s := range values {
		if err := invalidURI(s); err != nil {
			v.failures = append(v.failures, uriFailure(fmt.Sprintf("%s[%d]", path, k), err))
		}
	}
}

// readConfig reports an empty config or one that does not decode into cfg, and says
// whether the handler's checks can go on.
func (v *v1beta1Validator) readConfig(path string, h *apirule.Handler, cfg any) bool {
	if !h.HasConfig() {
		v.fail(path+".config", "supplied config cannot be empty")
		return false
	}
	if err := json.Unmarshal(h.Config, cfg); err != nil {
		v.fail(path+".config", "Can't read json: "+jsonError(err))
		return false
	}
	return true
}

func (v *v1beta1Validator) istioJWT(path string, h *apirule.Handler) {
	var cfg apirule.JWT
	if !v.readConfig(path, h, &cfg) {
		return
	}
	var ory oryJWTConfig
	if err := json.Unmarshal(h.Config, &ory); err != nil {
		v.fail(path+".config", "Can't read json: "+jsonError(err))
	} else {
		// The controller names required_scope "required_scopes" in the path and message.
		for _, k := range []struct {
			name string
			set  bool
		}{{"jwks_urls", len(ory.JWKSURLs) > 0}, {"required_scopes", len(ory.RequiredScope) > 0}, {"trusted_issuers", len(ory.TrustedIssuers) > 0}} {
			if k.set {
				v.fail(path+".config."+k.name, "Configuration for "+k.name+" is not supported with Istio handler")
			}
		}
	}
	v.failures = append(v.failures, unknownJWTKeys(path+".config", h.Config)...)
	// Unlike v2, an empty list is "value is empty" and missing authentications are
	// reported at the strategy.
	if auths := cfg.Authorizations; auths != nil && len(auths) == 0 {
		v.fail(path+".config.authorizations", "value is empty")
	} else {
		v.failures = append(v.failures, JWTAuthorizations(path+".config.authorizations", auths)...)
	}
	if len(cfg.Authentications) == 0 {
		v.fail(path, "Authentications are required when using JWT access handler")
		return
	}
	v.failures = append(v.failures, JWTAuthentications(path+".config.authentications", cfg.Authentications)...)
}

// mutators checks the mutators of a jwt rule under the Istio handler, which turns only
// header and cookie mutators into request headers.
func (v *v1beta1Validator) mutators(path string, mutators []*apirule.Handler) {
	seen := map[string]bool{}
	for m, h := range mutators {
		if seen[h.Handler] {
			v.fail(fmt.Sprintf("%s[%d].handler.%s", path, m, h.Handler), "mutator for same handler already exists")
		}
		seen[h.Handler] = true
	}
	for m, h := range mutators {
		p := fmt.Sprintf("%s[%d].handler", path, m)
		switch h.Handler {
		case "":
			v.fail(p, "mutator handler cannot be empty")
		case apirule.MutatorHeader:
			v.mutatorConfig(p+".config", h, "headers")
		case apirule.MutatorCookie:
			v.mutatorConfig(p+".config", h, "cookies")
		default:
			v.fail(p, "unsupported mutator: "+h.Handler)
		}
	}
}

// mutatorConfig checks that the config holds a non-empty map under key without empty names.
func (v *v1beta1Validator) mutatorConfig(path string, h *apirule.Handler, key string) {
	empty := key + " cannot be empty"
	if !h.HasRawConfig() {
		v.fail(path, empty)
		return
	}
	values, err := apirule.DecodeMutator(h, h.Handler)
	switch {
	case err != nil:
		v.fail(path, "Can't read json: "+jsonError(err))
	case len(values) == 0:
		v.fail(path, empty)
	default:
		if _, ok := values[""]; ok {
			v.fail(path+"."+key+".name", "cannot be empty")
		}
	}
}

// jwtConsistency is the Istio handler's check across all rules: authentications with
// the same issuer and JWKS URI must read the token from the same place. The
// controller looks at every strategy's config, not only jwt ones, and stops at the
// first config it cannot read.
func (v *v1beta1Validator) jwtConsistency(path string, rules []apirule.V1beta1Rule) {
	var auths []LocatedAuthentication
	defer func() { v.failures = append(v.failures, DifferingJWTConfigs(auths)...) }()
	for i, r := range rules {
		for j, h := range r.AccessStrategies {
			if !h.HasRawConfig() {
				continue
			}
			// "accessStrategy" (singular) is the controller's spelling here.
			p := fmt.Sprintf("%s[%d].accessStrategy[%d]", path, i, j)
			var cfg apirule.JWT
			if err := json.Unmarshal(h.Config, &cfg); err != nil {
				v.fail(p, "Can't read json: "+jsonError(err))
				return
			}
			for k, a := range cfg.Authentications {
				auths = append(auths, LocatedAuthentication{Path: fmt.Sprintf("%s.config.authentications[%d]", p, k), Authentication: a})
			}
		}
	}
}

// upstreamTypeNames maps the Go types the configs are decoded into to the controller's,
// so that "Can't read json" messages read exactly as the controller's.
var upstreamTypeNames = strings.NewReplacer(
	"apirule.JWTAuthentication", "v1beta1.JwtAuthentication",
	"apirule.JWTAuthorization", "v1beta1.JwtAuthorization",
	"apirule.FromHeader", "v1beta1.JwtHeader",
	"apirule.JWT", "v1beta1.JwtConfig",
	"validation.oryJWTConfig", "ory.JWTAccStrConfig",
	"apirule.HeaderMutatorConfig", "v1beta1.HeaderMutatorConfig",
	"apirule.CookieMutatorConfig", "v1beta1.CookieMutatorConfig",
)

var upstreamStructNames = map[string]string{
	"JWT":               "JwtConfig",
	"JWTAuthentication": "JwtAuthentication",
	"JWTAuthorization":  "JwtAuthorization",
	"FromHeader":        "JwtHeader",
	"oryJWTConfig":      "JWTAccStrConfig",
}

// jsonError is err's text with the controller's type names.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	typ := upstreamTypeNames.Replace(te.Type.String())
	if te.Struct == "" && te.Field == "" {
		return "json: cannot unmarshal " + te.Value + " into Go value of type " + typ
	}
	st := te.Struct
	if up, ok := upstreamStructNames[st]; ok {
		st = up
	}
	return "json: cannot unmarshal " + te.Value + " into Go struct field " + st + "." + te.Field + " of type " + typ
}

// istioJWTKeys are the keys of an Istio-handler jwt config and of its nested
// objects. The ory keys the controller refuses with its own message are not listed
// among the unknown ones.
var istioJWTKeys = map[string][]string{
	"":                               {"authentications", "authorizations"},
	"authentications":                {"fromHeaders", "fromParams", "issuer", "jwksUri"},
	"authentications.fromHeaders":    {"name", "prefix"},
	"authorizations":                 {"audiences", "requiredScopes"},
	"ory, refused by the controller": {"jwks_urls", "required_scope", "trusted_issuers"},
}

// unknownJWTKeys refuses keys an Istio-handler jwt config does not have. The
// controller decodes the config leniently and ignores them, so a misspelt
// "requiredScope" silently drops the scope condition: a deliberate difference, the
// function fails the APIRule at the key instead.
func unknownJWTKeys(path string, raw json.RawMessage) []Failure {
	var failures []Failure
	var walk func(path, kind string, v any)
	walk = func(path, kind string, v any) {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), kind, e)
			}
		case map[string]any:
			known := istioJWTKeys[kind]
			for _, k := range slices.Sorted(maps.Keys(x)) {
				child := strings.TrimPrefix(kind+"."+k, ".")
				switch {
				case slices.Contains(known, k):
					if _, nested := istioJWTKeys[child]; nested {
						walk(path+"."+k, child, x[k])
					}
				case kind == "" && slices.Contains(istioJWTKeys["ory, refused by the controller"], k):
				default:
					failures = append(failures, Failure{Path: path + "." + k, Message: fmt.Sprintf(
						"unknown key %q (known: %s): the controller would ignore it, and with it what it was meant to require", k, strings.Join(known, ", "))})
				}
			}
		}
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		walk(path, "", v)
	}
	return failures
}
