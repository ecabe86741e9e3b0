package apirule

import (
	"encoding/json"
	"slices"
	"strings"
)

// Names of the v1alpha1/v1beta1 access strategies the controller knows.
const (
	StrategyAllow                   = "allow"
	StrategyNoAuth                  = "no_auth"
	StrategyJWT                     = "jwt"
	StrategyNoop                    = "noop"
	StrategyUnauthorized            = "unauthorized"
	StrategyAnonymous               = "anonymous"
	StrategyCookieSession           = "cookie_session"
	StrategyOAuth2ClientCredentials = "oauth2_client_credentials"
	StrategyOAuth2Introspection     = "oauth2_introspection"
)

// Names of the mutators the Istio JWT handler turns into request headers.
const (
	MutatorHeader = "header"
	MutatorCookie = "cookie"
)

// HasRawConfig reports whether the handler has a config at all; `null` counts as
// absent because the API server drops null values, but `{}` is present (unlike
// HasConfig), as the controller's mutator checks see it.
func (h *Handler) HasRawConfig() bool {
	c := strings.TrimSpace(string(h.Config))
	return c != "" && c != "null"
}

// HeaderMutatorConfig is the config of a header mutator.
type HeaderMutatorConfig struct {
	Headers map[string]string `json:"headers"`
}

// CookieMutatorConfig is the config of a cookie mutator.
type CookieMutatorConfig struct {
	Cookies map[string]string `json:"cookies"`
}

// DecodeMutator decodes the map of a mutator config: "headers" for MutatorHeader,
// "cookies" for anything else. As in the controller only that key is read, so the
// other cannot fail the decoding.
func DecodeMutator(h *Handler, handler string) (map[string]string, error) {
	if handler == MutatorHeader {
		var c HeaderMutatorConfig
		err := json.Unmarshal(h.Config, &c)
		return c.Headers, err
	}
	var c CookieMutatorConfig
	err := json.Unmarshal(h.Config, &c)
	return c.Cookies, err
}

// HasStrategy reports whether the rule uses the access strategy.
func (r *V1beta1Rule) HasStrategy(name string) bool {
	return slices.ContainsFunc(r.AccessStrategies, func(h *Handler) bool { return h.Handler == name })
}

// JWTSecured reports whether the rule uses the jwt strategy.
func (r *V1beta1Rule) JWTSecured() bool { return r.HasStrategy(StrategyJWT) }

// SecuredByOathkeeper reports whether the rule has a strategy other than allow and
// no_auth: the controller routes such rules through Oathkeeper (jwt rules under the
// Istio handler excepted).
func (r *V1beta1Rule) SecuredByOathkeeper() bool {
	return slices.ContainsFunc(r.AccessStrategies, func(h *Handler) bool {
		return h.Handler != StrategyAllow && h.Handler != StrategyNoAuth
	})
}

// MutatorValues returns the map of the rule's first mutator with the given handler
// (MutatorHeader → its headers, MutatorCookie → its cookies), nil when there is none
// or it does not decode. The renderer uses it for jwt rules, whose mutators
// validation has already checked.
func (r *V1beta1Rule) MutatorValues(handler string) map[string]string {
	for _, h := range r.Mutators {
		if h.Handler == handler && h.HasRawConfig() {
			values, _ := DecodeMutator(h, handler)
			return values
		}
	}
	return nil
}
