package access

import (
	"regexp"
	"strings"
	"sync"

	networking "istio.io/api/networking/v1"
)

// regexCache keeps compiled regexes: the same route regexes are matched against
// many requests.
var regexCache sync.Map

// fullMatch reports whether re matches all of s, as Envoy's safe_regex does. A
// regex RE2 refuses matches nothing (istiod would have refused the object).
func fullMatch(re, s string) bool {
	c, ok := regexCache.Load(re)
	if !ok {
		compiled, err := regexp.Compile("^(?:" + re + ")$")
		if err != nil {
			compiled = nil
		}
		c, _ = regexCache.LoadOrStore(re, compiled)
	}
	compiled, _ := c.(*regexp.Regexp)
	return compiled != nil && compiled.MatchString(s)
}

// stringMatch applies an Istio StringMatch; nil matches anything.
func stringMatch(m *networking.StringMatch, s string) bool {
	if m == nil {
		return true
	}
	switch t := m.GetMatchType().(type) {
	case *networking.StringMatch_Exact:
		return s == t.Exact
	case *networking.StringMatch_Prefix:
		return strings.HasPrefix(s, t.Prefix)
	case *networking.StringMatch_Regex:
		return fullMatch(t.Regex, s)
	}
	return true
}

// hostMatch matches a request host against a VirtualService host: exact
// (case-insensitive), "*" or a "*." wildcard.
func hostMatch(pattern, host string) bool {
	pattern, host = strings.ToLower(pattern), strings.ToLower(stripPort(host))
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(host, pattern[1:]) && len(host) > len(pattern)-1
	}
	return pattern == host
}

func stripPort(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}

// policyString matches an AuthorizationPolicy string value: exact, "*", a prefix
// "abc*" or a suffix "*abc".
func policyString(pattern, s string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(s, pattern[:len(pattern)-1])
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(s, pattern[1:])
	}
	return s == pattern
}

func anyPolicyString(patterns []string, s string, fold bool) bool {
	if fold {
		s = strings.ToLower(s)
	}
	for _, p := range patterns {
		if fold {
			p = strings.ToLower(p)
		}
		if policyString(p, s) {
			return true
		}
	}
	return false
}

// Path template segments as Istio (Envoy's uri_template) reads them: {*} is one
// non-empty segment, {**} any rest of the path, slashes included.
const (
	oneSegment   = `[A-Za-z0-9\-._~%!$&'()+,;:@=]+`
	manySegments = `[A-Za-z0-9\-._~%!$&'()+,;:@=/]*`
)

// policyPath matches an AuthorizationPolicy path: a path template when it holds
// "{", else exact, "*", prefix or suffix.
func policyPath(pattern, path string) bool {
	if !strings.Contains(pattern, "{") {
		return policyString(pattern, path)
	}
	var re strings.Builder
	for i := 0; i < len(pattern); {
		switch {
		case strings.HasPrefix(pattern[i:], "{**}"):
			re.WriteString(manySegments)
			i += 4
		case strings.HasPrefix(pattern[i:], "{*}"):
			re.WriteString(oneSegment)
			i += 3
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			i++
		}
	}
	return fullMatch(re.String(), path)
}

func anyPolicyPath(patterns []string, path string) bool {
	for _, p := range patterns {
		if policyPath(p, path) {
			return true
		}
	}
	return false
}
