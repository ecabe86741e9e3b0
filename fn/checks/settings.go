package checks

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// Dangerous settings: what the controller renders faithfully but what weakens the
// protection an APIRule seems to ask for.

var serverSideURL = &Check{
	ID: "AF501", Severity: High,
	Why: "a URL that istiod or Oathkeeper fetches (JWKS, introspection, token, hydrator) points into the cluster, the machine or a metadata service: a server-side request from inside the mesh",
	Fix: "use the issuer's public endpoint",
	Run: func(r *Render, rep *Report) {
		eachFetchedURL(r, func(u located[string], parsed *url.URL) {
			if parsed.Scheme == "file" {
				rep.At(u.ar, u.path, "%s reads a file of the Oathkeeper container: point it at the issuer's public endpoint", u.value)
			} else if why := internalHost(parsed.Hostname()); why != "" {
				rep.At(u.ar, u.path, "%s is fetched server-side, and its host %s is %s (see Istio's BLOCKED_CIDRS_IN_JWKS_URIS): use the issuer's public endpoint",
					u.value, parsed.Hostname(), why)
			}
		})
	},
}

var jwksOverHTTP = &Check{
	ID: "AF502", Severity: Medium,
	Why: "keys or tokens travel over plain HTTP: anyone on the path can swap the signing keys or read the tokens",
	Fix: "use https",
	Run: func(r *Render, rep *Report) {
		eachFetchedURL(r, func(u located[string], parsed *url.URL) {
			if strings.EqualFold(parsed.Scheme, "http") && internalHost(parsed.Hostname()) == "" {
				rep.At(u.ar, u.path, "%s is fetched over plain HTTP: anyone on the path can swap the signing keys or read the tokens; use https", u.value)
			}
		})
	},
}

var jwksIPAddress = &Check{
	ID: "AF503", Severity: Low,
	Why: "a fetched URL names a public IP address: its certificate cannot be checked against a name",
	Fix: "use a DNS name",
	Run: func(r *Render, rep *Report) {
		eachFetchedURL(r, func(u located[string], parsed *url.URL) {
			if ip, ok := parseAddress(strings.ToLower(parsed.Hostname())); ok && internalAddress(ip) == "" {
				rep.At(u.ar, u.path, "host %s of %s is an IP address: the keys cannot be checked against a certificate name; use a DNS name", parsed.Hostname(), u.value)
			}
		})
	},
}

// eachFetchedURL calls fn for every fetched URL (fetchedURLs) that parses.
func eachFetchedURL(r *Render, fn func(u located[string], parsed *url.URL)) {
	for _, u := range fetchedURLs(r) {
		if parsed, err := url.Parse(u.value); err == nil {
			fn(u, parsed)
		}
	}
}

// fetchedURLs are the URLs that istiod or Oathkeeper fetch for an APIRule: jwksUri of
// Istio JWT settings, and every *url/*urls/*uri value of v1beta1 handler configs
// (jwks_urls, introspection_url, token_url, a hydrator's api.url, ...).
func fetchedURLs(r *Render) []located[string] {
	var out []located[string]
	for _, b := range jwtBlocks(r) {
		for k, a := range b.value.Authentications {
			if a != nil && a.JwksURI != "" {
				out = append(out, located[string]{b.ar, fmt.Sprintf("%s.authentications[%d].jwksUri", b.path, k), a.JwksURI})
			}
		}
	}
	for _, ar := range r.APIRules {
		for _, h := range handlers(ar, true) {
			configStrings(h, func(path, key, value string) {
				k := strings.ToLower(key)
				if key != "jwksUri" && (strings.HasSuffix(k, "url") || strings.HasSuffix(k, "urls") || strings.HasSuffix(k, "uri")) {
					out = append(out, located[string]{ar, path, value})
				}
			})
		}
	}
	return out
}

var noAudience = &Check{
	ID: "AF504", Severity: Medium,
	Why: "a JWT rule requires no audience, so any token of the issuer passes, including tokens minted for other services",
	Fix: "add audiences (v2, Istio handler) or target_audience (Oathkeeper jwt)",
	Run: func(r *Render, rep *Report) {
		for _, b := range jwtBlocks(r) {
			if !hasAudience(b.value) {
				rep.At(b.ar, b.path+".authorizations", "no audiences are required, so any token of the issuer passes, including tokens minted for other services; add audiences")
			}
		}
		for _, h := range oathkeeperJWT(r) {
			if len(h.value.TargetAudience) == 0 {
				rep.At(h.ar, h.path, "the Oathkeeper jwt authenticator requires no target_audience, so any token signed by its keys passes, including tokens minted for other services; add target_audience")
			}
		}
	},
}

func hasAudience(j *apirule.JWT) bool {
	for _, a := range j.Authorizations {
		if a != nil && len(a.Audiences) > 0 {
			return true
		}
	}
	return false
}

// oryJWT is the part of an Oathkeeper jwt authenticator config the checks read.
type oryJWT struct {
	TargetAudience []string `json:"target_audience"`
	TokenFrom      *struct {
		QueryParameter *string `json:"query_parameter"`
	} `json:"token_from"`
}

// oathkeeperJWT are the jwt access strategies that Oathkeeper enforces: those of
// v1beta1 APIRules under the Ory handler, with their config (empty when none).
func oathkeeperJWT(r *Render) []located[oryJWT] {
	var out []located[oryJWT]
	for _, ar := range r.APIRules {
		if ar.IstioHandler {
			continue
		}
		for _, h := range handlers(ar, false) {
			var cfg oryJWT
			if h.value.Handler != apirule.StrategyJWT || (h.value.HasConfig() && json.Unmarshal(h.value.Config, &cfg) != nil) {
				continue
			}
			out = append(out, located[oryJWT]{ar, h.path + ".config", cfg})
		}
	}
	return out
}

var tokenInQuery = &Check{
	ID: "AF505", Severity: Low,
	Why: "tokens read from query parameters end up in access logs, proxies and browser history",
	Fix: "read tokens from a header",
	Run: func(r *Render, rep *Report) {
		for _, b := range jwtBlocks(r) {
			for k, a := range b.value.Authentications {
				if a != nil && len(a.FromParams) > 0 {
					rep.At(b.ar, fmt.Sprintf("%s.authentications[%d].fromParams", b.path, k),
						"tokens read from query parameters end up in access logs and browser history; prefer fromHeaders")
				}
			}
		}
		for _, h := range oathkeeperJWT(r) {
			if h.value.TokenFrom != nil && h.value.TokenFrom.QueryParameter != nil {
				rep.At(h.ar, h.path+".token_from.query_parameter",
					"tokens read from query parameters end up in access logs and browser history; read them from a header")
			}
		}
	},
}

var mutatorTemplate = &Check{
	ID: "AF507", Severity: High,
	Why: "an Oathkeeper mutator template calls a function: `env` and `expandenv` read Oathkeeper's environment (its secrets) into requests, and other functions compute what the backend trusts",
	Fix: "use only the session's fields ({{ print .Subject }}), never env or expandenv",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for _, h := range handlers(ar, true) {
				if !strings.Contains(h.path, ".mutators[") {
					continue
				}
				configStrings(h, func(path, _, value string) {
					if fn := templateFunction(value); fn != "" {
						what := "computes a value the backend will trust"
						if fn == "env" || fn == "expandenv" {
							what = "reads Oathkeeper's environment, where its secrets live, into the request"
						}
						rep.At(ar, path, "mutator template %q calls %s, which %s; use only the session's fields, such as {{ print .Subject }}", value, fn, what)
					}
				})
			}
		}
	},
}

// templateActions finds the actions of a Go template.
var templateActions = regexp.MustCompile(`\{\{-?(.*?)-?\}\}`)

// templateFunction returns the first function a template's actions call other than
// print and printf of session fields, or "".
func templateFunction(s string) string {
	for _, m := range templateActions.FindAllStringSubmatch(s, -1) {
		for _, word := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == '|' || r == '\t' }) {
			if word == "print" || word == "printf" || strings.HasPrefix(word, ".") || strings.HasPrefix(word, "$") || strings.HasPrefix(word, "\"") {
				continue
			}
			return word
		}
	}
	return ""
}

var credentialHeader = &Check{
	ID: "AF508", Severity: High,
	Why: "a JWT rule sets `Authorization` or another credential header on the forwarded request: it replaces every caller's token, so the backend sees one fixed credential whoever called",
	Fix: "do not set credential headers on JWT rules; let the caller's token through",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			if ar.V2 != nil && ar.V2.Spec != nil {
				for i, rule := range ar.V2.Spec.Rules {
					if (rule.JWT != nil || rule.ExtAuth != nil) && rule.Request != nil {
						for _, k := range slices.Sorted(maps.Keys(rule.Request.Headers)) {
							if credentialHeaders[strings.ToLower(k)] {
								rep.At(ar, fmt.Sprintf("spec.rules[%d].request.headers.%s", i, k), "rule %d requires a JWT but sets the request header %s, replacing every caller's credential with one fixed value the backend sees whoever called; remove it", i, k)
							}
						}
					}
				}
			}
			if ar.V1beta1 == nil || !ar.IstioHandler {
				continue
			}
			for i := range ar.V1beta1.Spec.Rules {
				rule := &ar.V1beta1.Spec.Rules[i]
				if !rule.JWTSecured() {
					continue
				}
				for j, m := range rule.Mutators {
					for _, k := range slices.Sorted(maps.Keys(rule.MutatorValues(apirule.MutatorHeader))) {
						if m.Handler == apirule.MutatorHeader && credentialHeaders[strings.ToLower(k)] {
							rep.At(ar, fmt.Sprintf("spec.rules[%d].mutators[%d].config.headers.%s", i, j, k), "rule %d requires a JWT but its header mutator sets %s on the forwarded request (a VirtualService header under the Istio handler), replacing every caller's credential with one fixed value; remove it", i, k)
						}
					}
				}
			}
		}
	},
}

// credentialHeaders are request headers that carry a caller's credential.
var credentialHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "x-api-key": true,
	"x-auth-token": true, "x-access-token": true, "x-forwarded-access-token": true, "x-jwt-assertion": true,
}
