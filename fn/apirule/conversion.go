package apirule

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Annotations the API server's conversion webhook reads.
const (
	// OriginalVersionAnnotation records the version an APIRule was created in. A
	// v1beta1 APIRule carrying "v2" or "v2alpha1" is the v1beta1 view of an APIRule
	// created as v2 (what `kubectl get` with an older client returns); applied again,
	// the controller processes it as v2 after conversion.
	OriginalVersionAnnotation = Group + "/original-version"
	// V2alpha1RulesAnnotation holds v2alpha1 rules as JSON; when the conversion of a
	// v2-created APIRule succeeds, its rules are taken from here instead of spec.rules.
	V2alpha1RulesAnnotation = Group + "/v2alpha1-rules"
)

// CreatedAsV2 reports whether the v1beta1 APIRule carries original-version v2 or
// v2alpha1, so that the controller processes its converted v2alpha1 form.
func (a *V1beta1APIRule) CreatedAsV2() bool {
	v := a.Metadata.Annotations[OriginalVersionAnnotation]
	return v == V2 || v == V2alpha1
}

// Unconvertible names a v1beta1 field that keeps the API server's conversion from
// carrying the rules over to v2.
type Unconvertible struct {
	// Path is the attribute path without a leading dot ("spec.rules[1].path").
	Path   string
	Reason string
}

// ConversionError is a field the conversion webhook cannot read: the API server
// refuses the object rather than converting it.
type ConversionError struct {
	Path    string
	Message string
}

func (e *ConversionError) Error() string { return e.Path + ": " + e.Message }

// ToV2alpha1 converts as the API server's conversion webhook converts v1beta1 into
// the stored v2alpha1 form. Host, gateway, service, timeout and CORS always carry
// over; old gateway names ("name.namespace.svc.cluster.local", a bare "name") are
// translated to "namespace/name", and a gateway that is still not in that form is
// dropped. The rules carry over only when every rule converts: its path is a v2 path
// and each access strategy is no_auth or a convertible jwt. Otherwise no rule
// carries over (the controller then reports "No rules defined") and the blocking
// fields are returned, in order.
//
// A converted rule gets noAuth for no_auth, jwt for jwt (an Istio-handler config
// as is, an Oathkeeper config with its single issuer and JWKS URL and its scopes and
// audiences as one authorization), and the static headers and cookies of its header
// and cookie mutators; other mutators are dropped. Empty lists become absent, as in
// the webhook's JSON round trip.
func (a *V1beta1APIRule) ToV2alpha1() (*V2APIRule, []Unconvertible, error) {
	spec := &V2Spec{Service: a.Spec.Service, Timeout: a.Spec.Timeout}
	if a.Spec.Host != nil {
		spec.Hosts = []string{*a.Spec.Host}
	}
	if a.Spec.Gateway != nil {
		if gw, ok := TranslateGateway(*a.Spec.Gateway, a.Metadata.Namespace); ok {
			spec.Gateway = &gw
		}
	}
	if c := a.Spec.CorsPolicy; c != nil {
		spec.CorsPolicy = &V2CorsPolicy{CorsPolicy: c.CorsPolicy}
		if c.MaxAge != nil {
			d, err := time.ParseDuration(*c.MaxAge)
			if err != nil {
				return nil, nil, &ConversionError{Path: "spec.corsPolicy.maxAge", Message: fmt.Sprintf("%q is not a Go duration", *c.MaxAge)}
			}
			// Whole seconds, as Access-Control-Max-Age: the webhook truncates.
			secs := int64(d / time.Second)
			spec.CorsPolicy.MaxAge = &secs
		}
	}
	out := &V2APIRule{APIVersion: Group + "/" + V2alpha1, Metadata: a.Metadata, Spec: spec}
	blockers, err := a.conversionBlockers()
	if err != nil || len(blockers) > 0 {
		return out, blockers, err
	}
	if raw, ok := a.Metadata.Annotations[V2alpha1RulesAnnotation]; ok {
		if err := json.Unmarshal([]byte(raw), &spec.Rules); err != nil {
			return nil, nil, &ConversionError{Path: "metadata.annotations[" + V2alpha1RulesAnnotation + "]", Message: "not a JSON list of v2alpha1 rules: " + err.Error()}
		}
		return out, nil, nil
	}
	for i := range a.Spec.Rules {
		r, err := convertRule(fmt.Sprintf("spec.rules[%d]", i), &a.Spec.Rules[i])
		if err != nil {
			return nil, nil, err
		}
		spec.Rules = append(spec.Rules, r)
	}
	return out, nil, nil
}

// v2PathRe is the v2 CRD's path pattern: literal segments, whole-segment {*} and
// {**}, or exactly "/*". The webhook converts only rules whose path matches it.
var v2PathRe = regexp.MustCompile(`^((\/([A-Za-z0-9-._~!$&'()+,;=:@]|%[0-9a-fA-F]{2})*)|(\/\{\*{1,2}\}))+$|^\/\*$`)

// IsV2Path reports whether path is valid as a v2 rule path.
func IsV2Path(path string) bool { return v2PathRe.MatchString(path) }

// conversionBlockers lists the fields that keep the rules from converting, in the
// webhook's order (per rule: path, then each access strategy). A jwt config the
// webhook cannot decode is an error only when it is reached before any blocker,
// since the webhook stops at the first one.
func (a *V1beta1APIRule) conversionBlockers() ([]Unconvertible, error) {
	var out []Unconvertible
	for i, r := range a.Spec.Rules {
		at := fmt.Sprintf("spec.rules[%d]", i)
		if !IsV2Path(r.Path) {
			out = append(out, Unconvertible{Path: at + ".path", Reason: fmt.Sprintf("path %q is not a v2 path (literal segments, {*}, {**} or exactly /*)", r.Path)})
		}
		for j, h := range r.AccessStrategies {
			hp := fmt.Sprintf("%s.accessStrategies[%d]", at, j)
			switch {
			case h == nil:
				out = append(out, Unconvertible{Path: hp, Reason: "empty access strategy"})
			case h.Handler == StrategyNoAuth:
			case h.Handler == StrategyJWT:
				reason, err := jwtBlocker(h)
				if err != nil && len(out) == 0 {
					return nil, &ConversionError{Path: hp + ".config", Message: err.Error()}
				}
				if reason != "" || err != nil {
					if reason == "" {
						reason = err.Error()
					}
					out = append(out, Unconvertible{Path: hp + ".config", Reason: reason})
				}
			default:
				out = append(out, Unconvertible{Path: hp + ".handler", Reason: fmt.Sprintf("handler %s has no v2 equivalent (v2 has noAuth, jwt and extAuth)", h.Handler)})
			}
		}
	}
	return out, nil
}

// oryJWTConfig is the part of an Oathkeeper jwt authenticator config the conversion reads.
type oryJWTConfig struct {
	TrustedIssuers []string `json:"trusted_issuers"`
	JWKSURLs       []string `json:"jwks_urls"`
	RequiredScope  []string `json:"required_scope"`
	TargetAudience []string `json:"target_audience"`
}

// jwtBlocker says why a jwt access strategy does not convert ("" when it does).
func jwtBlocker(h *Handler) (string, error) {
	if h.Config == nil {
		return "a jwt access strategy without config does not convert", nil
	}
	var istio JWT
	if err := json.Unmarshal(h.Config, &istio); err != nil {
		return "", err
	}
	if len(istio.Authentications) > 0 || len(istio.Authorizations) > 0 {
		return "", nil
	}
	var ory oryJWTConfig
	if err := json.Unmarshal(h.Config, &ory); err != nil {
		return "", err
	}
	if len(ory.TrustedIssuers) != 1 || len(ory.JWKSURLs) != 1 {
		return fmt.Sprintf("an Oathkeeper jwt config converts only with exactly one trusted_issuers and one jwks_urls entry (it has %d and %d)", len(ory.TrustedIssuers), len(ory.JWKSURLs)), nil
	}
	return "", nil
}

// convertRule converts one rule that conversionBlockers accepted.
func convertRule(at string, r *V1beta1Rule) (V2Rule, error) {
	out := V2Rule{Path: r.Path, Methods: r.Methods, Service: r.Service, Timeout: r.Timeout}
	for j, h := range r.AccessStrategies {
		switch h.Handler {
		case StrategyNoAuth:
			t := true
			out.NoAuth = &t
		case StrategyJWT:
			jwt, err := convertJWT(h)
			if err != nil {
				return V2Rule{}, &ConversionError{Path: fmt.Sprintf("%s.accessStrategies[%d].config", at, j), Message: err.Error()}
			}
			out.JWT = jwt
		}
	}
	if r.Mutators != nil {
		out.Request = &Request{}
	}
	for m, h := range r.Mutators {
		if h == nil {
			continue
		}
		var err error
		switch h.Handler {
		case MutatorHeader:
			out.Request.Headers, err = DecodeMutator(h, MutatorHeader)
		case MutatorCookie:
			out.Request.Cookies, err = DecodeMutator(h, MutatorCookie)
		}
		if err != nil {
			return V2Rule{}, &ConversionError{Path: fmt.Sprintf("%s.mutators[%d].config", at, m), Message: err.Error()}
		}
	}
	return out, nil
}

// convertJWT takes an Istio-handler config as it is, else builds one authentication
// and one authorization from an Oathkeeper config.
func convertJWT(h *Handler) (*JWT, error) {
	var istio JWT
	if err := json.Unmarshal(h.Config, &istio); err != nil {
		return nil, err
	}
	if istio.Authentications != nil || istio.Authorizations != nil {
		return compactJWT(&istio), nil
	}
	var ory oryJWTConfig
	if err := json.Unmarshal(h.Config, &ory); err != nil {
		return nil, err
	}
	return compactJWT(&JWT{
		Authentications: []*JWTAuthentication{{Issuer: ory.TrustedIssuers[0], JwksURI: ory.JWKSURLs[0]}},
		Authorizations:  []*JWTAuthorization{{RequiredScopes: ory.RequiredScope, Audiences: ory.TargetAudience}},
	}), nil
}

// compactJWT drops empty lists, as the webhook's JSON round trip through types
// with omitempty does.
func compactJWT(j *JWT) *JWT {
	out := &JWT{}
	for _, a := range j.Authentications {
		if a != nil {
			a = &JWTAuthentication{Issuer: a.Issuer, JwksURI: a.JwksURI, FromHeaders: nilIfEmpty(a.FromHeaders), FromParams: nilIfEmpty(a.FromParams)}
		}
		out.Authentications = append(out.Authentications, a)
	}
	for _, a := range j.Authorizations {
		if a != nil {
			a = &JWTAuthorization{RequiredScopes: nilIfEmpty(a.RequiredScopes), Audiences: nilIfEmpty(a.Audiences)}
		}
		out.Authorizations = append(out.Authorizations, a)
	}
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// gatewayRefRe is the v2 gateway format, namespace/name (the CRD's and the
// controller's pattern).
var gatewayRefRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$`)

// TranslateGateway turns an old gateway name into "namespace/name" as the webhook
// does: "name.namespace" with an optional ".svc", ".svc.cluster" or
// ".svc.cluster.local" suffix, or a bare "name" in the APIRule's namespace. It
// reports false when the result (or the untranslated name) is not in the new form,
// in which case the webhook leaves the v2 gateway unset.
func TranslateGateway(gw, namespace string) (string, bool) {
	if IsGatewayRef(gw) {
		return gw, true
	}
	if !strings.Contains(gw, "/") {
		parts := strings.Split(gw, ".")
		switch len(parts) {
		case 1:
			gw = namespace + "/" + gw
		case 2, 3, 4, 5:
			suffix := []string{"", "", "svc", "svc.cluster", "svc.cluster.local"}[len(parts)-1]
			if len(parts) == 2 || strings.Join(parts[2:], ".") == suffix {
				gw = parts[1] + "/" + parts[0]
			}
		}
	}
	return gw, IsGatewayRef(gw)
}

// IsGatewayRef reports whether ref is a v2 gateway reference, "namespace/name".
func IsGatewayRef(ref string) bool { return gatewayRefRe.MatchString(ref) }
