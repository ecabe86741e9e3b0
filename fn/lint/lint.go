package lint

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// Warning is one finding at an attribute path.
type Warning struct {
	Path, Message string
}

type linter struct{ out []Warning }

func (l *linter) warn(path, format string, a ...any) {
	l.out = append(l.out, Warning{Path: path, Message: fmt.Sprintf(format, a...)})
}

// V2 lints a v2/v2alpha1 APIRule.
func V2(ar *apirule.V2APIRule) []Warning {
	l := &linter{}
	if ar.Spec == nil {
		return nil
	}
	if p := ar.Spec.CorsPolicy; p != nil {
		l.cors("spec.corsPolicy", &p.CorsPolicy)
	}
	for i, r := range ar.Spec.Rules {
		at := fmt.Sprintf("spec.rules[%d]", i)
		l.path(at+".path", r.Path)
		if r.JWT != nil {
			l.jwt(at+".jwt", r.JWT)
		}
		if r.ExtAuth != nil && r.ExtAuth.Restrictions != nil {
			l.jwt(at+".extAuth.restrictions", r.ExtAuth.Restrictions)
		}
	}
	return l.out
}

// V1beta1 lints a v1beta1 APIRule (or a converted v1alpha1 one).
func V1beta1(ar *apirule.V1beta1APIRule) []Warning {
	l := &linter{}
	if p := ar.Spec.CorsPolicy; p != nil {
		l.cors("spec.corsPolicy", &p.CorsPolicy)
	}
	for i, r := range ar.Spec.Rules {
		for j, h := range r.AccessStrategies {
			if h == nil || h.Handler != apirule.StrategyJWT || !h.HasConfig() {
				continue
			}
			at := fmt.Sprintf("spec.rules[%d].accessStrategies[%d].config", i, j)
			var cfg struct {
				JwksURLs []string `json:"jwks_urls"`
				apirule.JWT
			}
			if json.Unmarshal(h.Config, &cfg) != nil {
				continue
			}
			for k, u := range cfg.JwksURLs {
				l.jwksURI(fmt.Sprintf("%s.jwks_urls[%d]", at, k), u)
			}
			if len(cfg.Authentications) > 0 {
				l.jwt(at, &cfg.JWT)
			}
		}
	}
	return l.out
}

func (l *linter) jwt(at string, j *apirule.JWT) {
	for k, a := range j.Authentications {
		if a == nil {
			continue
		}
		l.jwksURI(fmt.Sprintf("%s.authentications[%d].jwksUri", at, k), a.JwksURI)
		if len(a.FromParams) > 0 {
			l.warn(fmt.Sprintf("%s.authentications[%d].fromParams", at, k),
				"tokens read from query parameters end up in access logs and browser history; prefer fromHeaders")
		}
	}
	for _, a := range j.Authorizations {
		if a != nil && len(a.Audiences) > 0 {
			return
		}
	}
	l.warn(at+".authorizations", "no audiences are required, so any token of the issuer passes, including tokens minted for other services; add audiences")
}

// jwksURI warns about keys fetched in the clear or from inside the cluster: istiod
// (or Oathkeeper) fetches them, so an internal address is a server-side request.
func (l *linter) jwksURI(path, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return
	}
	if u.Scheme == "http" {
		l.warn(path, "JWKS %s is fetched over plain HTTP: anyone on the path can swap the signing keys; use https", raw)
	}
	host := strings.ToLower(u.Hostname())
	internal := host == "localhost" || strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".cluster.local")
	if ip := net.ParseIP(host); ip != nil {
		internal = internal || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified()
		if !internal {
			l.warn(path, "JWKS host %s is an IP address: keys cannot be checked against a certificate name; use a DNS name", host)
		}
	}
	if internal {
		l.warn(path, "JWKS host %s is inside the cluster or the machine: the mesh fetches it server-side (see Istio's BLOCKED_CIDRS_IN_JWKS_URIS); use the issuer's public endpoint", host)
	}
}

// cors warns when any origin may send credentialed requests: Envoy echoes a matching
// origin, so a catch-all matcher with allowCredentials lets every site in.
func (l *linter) cors(at string, p *apirule.CorsPolicy) {
	if p.AllowCredentials == nil || !*p.AllowCredentials {
		return
	}
	for i, o := range p.AllowOrigins {
		for _, kind := range slices.Sorted(maps.Keys(o)) {
			v := o[kind]
			wildcard := (kind == "regex" && (v == ".*" || v == ".+" || v == "*")) || (kind == "exact" && v == "*") ||
				(kind != "regex" && kind != "exact" && (v == "" || v == "http://" || v == "https://" || v == "http" || v == "https"))
			if wildcard {
				l.warn(fmt.Sprintf("%s.allowOrigins[%d]", at, i),
					"allowCredentials with an origin matcher that accepts any site (%s: %q) lets every website send credentialed requests; list the origins", kind, v)
			}
		}
	}
}

// path warns about characters that the mesh, Oathkeeper and the backend may
// normalise differently, which is how path-based rules get bypassed.
func (l *linter) path(at, p string) {
	for _, bad := range []string{"//", "/./", "/../", "%", "\\", ";"} {
		if strings.Contains(p, bad) || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
			l.warn(at, "path %q contains %q or a dot segment: proxies and backends normalise such paths differently, which can bypass path-based rules", p, bad)
			return
		}
	}
}
