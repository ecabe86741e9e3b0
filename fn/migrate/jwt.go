package migrate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// oathkeeperJWT is an Oathkeeper jwt authenticator config.
type oathkeeperJWT struct {
	JWKSURLs       []string `json:"jwks_urls"`
	TrustedIssuers []string `json:"trusted_issuers"`
	RequiredScope  []string `json:"required_scope"`
	TargetAudience []string `json:"target_audience"`
	ScopeStrategy  string   `json:"scope_strategy"`
	TokenFrom      *struct {
		Header         string `json:"header"`
		QueryParameter string `json:"query_parameter"`
		Cookie         string `json:"cookie"`
	} `json:"token_from"`
}

// harmlessOathkeeperKeys only tune how Oathkeeper fetches keys.
var harmlessOathkeeperKeys = []string{"jwks_max_wait", "jwks_ttl"}

// jwt converts a jwt access strategy: an Istio-handler config as it is, an
// Oathkeeper one into one authentication per JWKS URL and one authorization with
// the required scopes and audiences.
func (c *converter) jwt(at string, h *apirule.Handler) *apirule.JWT {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(h.Config, &keys); err != nil || len(keys) == 0 {
		c.block(at, "a jwt access strategy needs a config")
		return nil
	}
	if _, ok := keys["authentications"]; ok {
		var j apirule.JWT
		if err := json.Unmarshal(h.Config, &j); err != nil {
			c.block(at, "cannot read the jwt config: %v", err)
			return nil
		}
		return compact(&j)
	}
	var o oathkeeperJWT
	if err := json.Unmarshal(h.Config, &o); err != nil {
		c.block(at, "cannot read the Oathkeeper jwt config: %v", err)
		return nil
	}
	known := []string{"jwks_urls", "trusted_issuers", "required_scope", "target_audience", "scope_strategy", "token_from"}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !slices.Contains(known, k) && !slices.Contains(harmlessOathkeeperKeys, k) {
			c.block(at+"."+k, "Oathkeeper setting %s has no v2 equivalent", k)
		}
	}
	if s := o.ScopeStrategy; s != "" && s != "exact" {
		c.block(at+".scope_strategy", "scope_strategy %s matches scopes other than exactly; v2 requires each scope exactly", s)
	}
	var from *apirule.JWTAuthentication
	if t := o.TokenFrom; t != nil {
		switch {
		case t.Header != "":
			from = &apirule.JWTAuthentication{FromHeaders: []*apirule.FromHeader{{Name: t.Header}}}
		case t.QueryParameter != "":
			from = &apirule.JWTAuthentication{FromParams: []string{t.QueryParameter}}
		default:
			c.block(at+".token_from", "v2 reads tokens from headers and query parameters only, not from cookies")
		}
	}
	if len(o.JWKSURLs) == 0 {
		c.block(at+".jwks_urls", "v2 needs the JWKS URL of each issuer: add jwks_urls")
		return nil
	}
	out := &apirule.JWT{}
	seen := map[string]bool{}
	for k, u := range o.JWKSURLs {
		iss, ok := c.issuer(fmt.Sprintf("%s.jwks_urls[%d]", at, k), u, o.TrustedIssuers)
		if !ok {
			continue
		}
		if seen[iss] {
			c.block(fmt.Sprintf("%s.jwks_urls[%d]", at, k), "issuer %s would get a second JWKS URL; v2 takes one per issuer: keep one jwks_urls entry per issuer", iss)
			continue
		}
		seen[iss] = true
		a := &apirule.JWTAuthentication{Issuer: iss, JwksURI: u}
		if from != nil {
			a.FromHeaders, a.FromParams = from.FromHeaders, from.FromParams
		}
		out.Authentications = append(out.Authentications, a)
	}
	if len(o.RequiredScope) > 0 || len(o.TargetAudience) > 0 {
		out.Authorizations = []*apirule.JWTAuthorization{{RequiredScopes: nonEmpty(o.RequiredScope), Audiences: nonEmpty(o.TargetAudience)}}
	}
	return out
}

// issuer finds the issuer of the tokens a JWKS URL verifies: the one trusted
// issuer, else the issuers config.
func (c *converter) issuer(at, jwksURL string, trusted []string) (string, bool) {
	if len(trusted) == 1 {
		return trusted[0], true
	}
	iss, ok := c.opts.Issuers[jwksURL]
	switch {
	case !ok:
		why := "the config has no trusted_issuers"
		if len(trusted) > 1 {
			why = "trusted_issuers lists " + strings.Join(trusted, ", ")
		}
		c.block(at, "v2 needs the issuer of the tokens %s verifies, and %s: set issuers: {%q: \"<issuer>\"} in the function config", jwksURL, why, jwksURL)
		return "", false
	case len(trusted) > 0 && !slices.Contains(trusted, iss):
		c.block(at, "issuers gives %s for %s, which trusted_issuers does not list", iss, jwksURL)
		return "", false
	}
	return iss, true
}

// compact drops empty lists, which v2 reads as errors ("value is empty").
func compact(j *apirule.JWT) *apirule.JWT {
	out := &apirule.JWT{Authentications: j.Authentications}
	for _, a := range j.Authorizations {
		if a == nil {
			continue
		}
		a = &apirule.JWTAuthorization{RequiredScopes: nonEmpty(a.RequiredScopes), Audiences: nonEmpty(a.Audiences)}
		if a.RequiredScopes != nil || a.Audiences != nil {
			out.Authorizations = append(out.Authorizations, a)
		}
	}
	return out
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
