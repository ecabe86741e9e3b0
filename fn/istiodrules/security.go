package istiodrules

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Path templates istiod supports in AuthorizationPolicy paths.
const (
	oneSegment  = "{*}"
	anySegments = "{**}"
)

// pathLiteralRE is what a segment of a templated path may hold: Envoy's URI pchar
// characters (RFC 3986), at least one.
var pathLiteralRE = regexp.MustCompile(`^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$`)

// PolicyPath checks a path of an AuthorizationPolicy operation (paths or notPaths).
// istiod refuses "{" and "}" anywhere but in the whole-segment templates {*} and
// {**}, a template after {**}, and, in a path with a template, a segment that is
// empty ("/api//{*}") or holds characters outside the URI path characters ("*").
func PolicyPath(p string) error {
	if p == "" {
		return errors.New("the path is empty: istiod refuses empty AuthorizationPolicy paths")
	}
	templated := strings.Contains(p, oneSegment) || strings.Contains(p, anySegments)
	seenAny := false
	for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
		if seg == oneSegment || seg == anySegments {
			if seenAny {
				return fmt.Errorf("AuthorizationPolicy path %q has a template after {**}: istiod refuses it ({**} must be the last operator)", p)
			}
			seenAny = seg == anySegments
			continue
		}
		if strings.ContainsAny(seg, "{}") {
			return fmt.Errorf("AuthorizationPolicy path %q contains '{' or '}' outside the templates {*} and {**}, which istiod refuses", p)
		}
		if templated && !pathLiteralRE.MatchString(seg) {
			what := fmt.Sprintf("the segment %q, which holds characters outside the URI path characters", seg)
			if seg == "" {
				what = "an empty segment"
			}
			return fmt.Errorf("AuthorizationPolicy path %q has a template and %s: istiod refuses it", p, what)
		}
	}
	return nil
}

// Value checks a value of an AuthorizationPolicy (a host, a required scope or
// audience): istiod refuses empty values there.
func Value(what, v string) error {
	if v == "" {
		return fmt.Errorf("the %s is empty: istiod refuses empty values in an AuthorizationPolicy", what)
	}
	return nil
}

// Selector checks the workload selector of an AuthorizationPolicy or
// RequestAuthentication: istiod refuses empty keys and a "*" in a key or a value.
// The error names the first offending label in sorted order.
func Selector(labels map[string]string) error {
	var bad []string
	for k, v := range labels {
		if k == "" || strings.Contains(k, "*") || strings.Contains(v, "*") {
			bad = append(bad, fmt.Sprintf("%q", k+"="+v))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return fmt.Errorf("the workload selector has the label %s: istiod refuses selectors with an empty key or a wildcard", strings.Join(bad, ", "))
}

// Provider checks the extension provider name of a CUSTOM AuthorizationPolicy.
func Provider(name string) error {
	if name == "" {
		return errors.New("the authorizer name is empty: istiod refuses a CUSTOM AuthorizationPolicy without a provider name")
	}
	return nil
}

// JWKSURI checks the jwksUri of a RequestAuthentication JWT rule: a URL istiod can
// parse, with the scheme http or https and a port that fits an int. An empty jwksUri
// is not checked (see Issuer).
func JWKSURI(u string) error {
	if u == "" {
		return nil
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("jwksUri %q is not a URL (%v): istiod refuses it", u, err)
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" {
		return fmt.Errorf("jwksUri %q has the scheme %q: istiod accepts only http and https", u, parsed.Scheme)
	}
	if p := parsed.Port(); p != "" {
		if _, err := strconv.Atoi(p); err != nil {
			return fmt.Errorf("jwksUri %q has the port %q, which istiod cannot read", u, p)
		}
	}
	return nil
}

// Issuer checks that a JWT rule has an issuer or a jwksUri.
func Issuer(issuer, jwksURI string) error {
	if issuer == "" && jwksURI == "" {
		return errors.New("the JWT rule has neither an issuer nor a jwksUri: istiod refuses it")
	}
	return nil
}

// TokenLocation checks a fromHeaders name or a fromParams entry (what says which):
// istiod refuses empty ones.
func TokenLocation(what, name string) error {
	if name == "" {
		return fmt.Errorf("the %s is empty: istiod refuses it in a RequestAuthentication", what)
	}
	return nil
}
