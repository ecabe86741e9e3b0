package access

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// oryRule is an Oathkeeper Rule as far as decisions read it.
type oryRule struct {
	namespace, name string
	spec            struct {
		Match struct {
			URL     string   `json:"url"`
			Methods []string `json:"methods"`
		} `json:"match"`
		Authenticators []oryHandler `json:"authenticators"`
		Upstream       struct {
			URL          string `json:"url"`
			PreserveHost bool   `json:"preserveHost"`
		} `json:"upstream"`
	}
	// re is match.url compiled; nil when Oathkeeper could not compile it either,
	// and then the Rule matches nothing.
	re *regexp.Regexp
}

type oryHandler struct {
	Handler string          `json:"handler"`
	Config  json.RawMessage `json:"config"`
}

// compile turns match.url into a regex the way Oathkeeper's regexp strategy does:
// text outside "<" ">" is literal, text inside is a regex, the whole is anchored.
func (r *oryRule) compile() error {
	var b strings.Builder
	b.WriteString("^")
	rest := r.spec.Match.URL
	for rest != "" {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 {
			return fmt.Errorf("match.url %q: unbalanced <", r.spec.Match.URL)
		}
		b.WriteString(regexp.QuoteMeta(rest[:open]) + "(" + rest[open+1:open+end] + ")")
		rest = rest[open+end+1:]
	}
	b.WriteString("$")
	r.re, _ = regexp.Compile(b.String())
	return nil
}

func (r *oryRule) matches(req Request) bool {
	if r.re == nil || !slices.Contains(r.spec.Match.Methods, req.Method) {
		return false
	}
	return r.re.MatchString("https://"+stripPort(req.Host)+req.Path) || r.re.MatchString("http://"+stripPort(req.Host)+req.Path)
}

// oryJWT is the part of the jwt authenticator config decisions read.
type oryJWT struct {
	JWKSURLs       []string `json:"jwks_urls"`
	TrustedIssuers []string `json:"trusted_issuers"`
	RequiredScope  []string `json:"required_scope"`
	TargetAudience []string `json:"target_audience"`
	TokenFrom      *struct {
		Header         string `json:"header"`
		QueryParameter string `json:"query_parameter"`
		Cookie         string `json:"cookie"`
	} `json:"token_from"`
}

// sees reports whether the jwt authenticator finds t where it looks.
func (c *oryJWT) sees(t *Token) bool {
	if t == nil {
		return false
	}
	switch {
	case c.TokenFrom == nil:
		return t.inHeader("Authorization")
	case c.TokenFrom.Header != "":
		return t.inHeader(c.TokenFrom.Header)
	case c.TokenFrom.QueryParameter != "":
		return t.Param == c.TokenFrom.QueryParameter
	}
	return false
}

// verifies reports whether the keys at one of the JWKS URLs can verify a token of
// issuer: an unknown URL (not in keys) is taken to verify any issuer's tokens.
func (c *oryJWT) verifies(issuer string, keys map[string]string) bool {
	if len(c.JWKSURLs) == 0 {
		return true
	}
	for _, u := range c.JWKSURLs {
		if iss, known := keys[u]; !known || iss == issuer {
			return true
		}
	}
	return false
}

// authStep is the result of one authenticator.
type authStep int

const (
	authPass authStep = iota
	authNotResponsible
	authFail
	authUnknown
)

// authenticate runs one authenticator of the chain; keys tells which issuer's
// tokens the keys at a JWKS URL verify (Mesh.JWKSIssuers).
func authenticate(h oryHandler, t *Token, keys map[string]string) (authStep, string) {
	switch h.Handler {
	case apirule.StrategyNoop, apirule.StrategyAnonymous:
		return authPass, "authenticator " + h.Handler + " lets every request through"
	case apirule.StrategyUnauthorized:
		return authFail, "authenticator unauthorized rejects every request"
	case apirule.StrategyJWT:
		var c oryJWT
		if len(h.Config) > 0 {
			if err := json.Unmarshal(h.Config, &c); err != nil {
				return authUnknown, "jwt authenticator config unreadable: " + err.Error()
			}
		}
		if !c.sees(t) {
			return authNotResponsible, "no token where the jwt authenticator looks"
		}
		switch {
		case len(c.TrustedIssuers) > 0 && !slices.Contains(c.TrustedIssuers, t.Issuer):
			return authFail, "jwt authenticator: issuer " + t.Issuer + " is not trusted"
		case !c.verifies(t.Issuer, keys):
			return authFail, "jwt authenticator: the keys at its jwks_urls do not verify tokens of " + t.Issuer
		case !containsAll(t.Scopes, c.RequiredScope):
			return authFail, "jwt authenticator: token lacks a required scope"
		case !containsAll(t.Audiences, c.TargetAudience):
			return authFail, "jwt authenticator: token lacks a target audience"
		}
		return authPass, "jwt authenticator accepts the token"
	case apirule.StrategyOAuth2Introspection:
		if t == nil || !t.inHeader("Authorization") {
			return authNotResponsible, "no bearer token for oauth2_introspection"
		}
		return authUnknown, "oauth2_introspection asks the introspection endpoint"
	case apirule.StrategyCookieSession, apirule.StrategyOAuth2ClientCredentials:
		return authNotResponsible, h.Handler + " needs credentials the model does not send"
	}
	return authUnknown, "authenticator " + h.Handler + " is not one Oathkeeper knows"
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// oathkeeper decides a request routed to the Oathkeeper proxy.
func (m *Mesh) oathkeeper(req Request) Decision {
	var hits []*oryRule
	for i := range m.rules {
		if m.rules[i].matches(req) {
			hits = append(hits, &m.rules[i])
		}
	}
	d := Decision{ViaOathkeeper: true}
	switch len(hits) {
	case 0:
		d.Outcome, d.Reason = NotRouted, "no Oathkeeper Rule matches"
		return d
	case 1:
	default:
		d.Outcome, d.Reason = Unknown, fmt.Sprintf("%d Oathkeeper Rules match; Oathkeeper refuses the request (500)", len(hits))
		return d
	}
	r := hits[0]
	up, err := url.Parse(r.spec.Upstream.URL)
	if err == nil {
		if ns, name, ok := serviceOf(up.Host); ok {
			d.Service = ns + "/" + name
		}
	}
	step, why := authNotResponsible, "Rule has no authenticator"
	for _, h := range r.spec.Authenticators {
		if step, why = authenticate(h, req.Token, m.JWKSIssuers); step != authNotResponsible {
			break
		}
	}
	rule := fmt.Sprintf("Oathkeeper Rule %s/%s: ", r.namespace, r.name)
	switch step {
	case authNotResponsible, authFail:
		d.Outcome, d.Reason = Unauthenticated, rule+why
		return d
	case authUnknown:
		d.Outcome, d.Reason = Unknown, rule+why
		return d
	}
	if d.Service == "" {
		d.Outcome, d.Reason = Allowed, rule+why+"; upstream "+r.spec.Upstream.URL+" is outside the mesh model"
		return d
	}
	host := req.Host
	if !r.spec.Upstream.PreserveHost && up != nil {
		host = up.Host
	}
	ns, name, _ := strings.Cut(d.Service, "/")
	inner := m.atService(ns, name, m.OathkeeperPrincipal, host, req)
	inner.ViaOathkeeper, inner.Destination = true, d.Destination
	inner.Reason = rule + why + "; then " + inner.Reason
	return inner
}

// oathkeeperRequirements lists the tokens the jwt authenticators of the Rule that
// matches req accept.
func (m *Mesh) oathkeeperRequirements(req Request) []Requirement {
	var out []Requirement
	for i := range m.rules {
		if !m.rules[i].matches(req) {
			continue
		}
		for _, h := range m.rules[i].spec.Authenticators {
			var c oryJWT
			if h.Handler != apirule.StrategyJWT || json.Unmarshal(h.Config, &c) != nil {
				continue
			}
			out = append(out, Requirement{Issuers: c.TrustedIssuers, Scopes: c.RequiredScope, Audiences: c.TargetAudience})
		}
	}
	return out
}
