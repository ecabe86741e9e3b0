package urlpath

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Path operators and special paths of v2 rules.
const (
	// CatchAll is the path that matches every request path.
	CatchAll = "/*"
	// Root is the exact root path; it is not a catch-all but is treated like one by
	// the notPaths computation.
	Root = "/"
	// AnySegments matches any number of path segments, including none.
	AnySegments = "{**}"
	// OneSegment matches exactly one non-empty path segment.
	OneSegment = "{*}"
)

// Regexes the controller substitutes for the operators in VirtualService matches:
// a segment character or percent-encoding, with `/` allowed only for AnySegments.
const (
	AnySegmentsRegex = `([A-Za-z0-9-._~!$&'()*+,;=:@/]|%[0-9a-fA-F]{2})*`
	OneSegmentRegex  = `([A-Za-z0-9-._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+`
)

// operatorRegexes replaces the operators; `{**}` is listed first so that it is never
// read as something else (strings.Replacer tries the pairs in argument order).
var operatorRegexes = strings.NewReplacer(AnySegments, AnySegmentsRegex, OneSegment, OneSegmentRegex)

// URIMatch is the VirtualService URI match of a path: exactly one field is set.
type URIMatch struct {
	Prefix, Regex string
}

// VirtualServiceMatch returns the URI match of a rule path: prefix `/` for CatchAll,
// else the anchored regex of the path with the operators replaced. Nothing else is
// escaped, so a literal `.` in the path stays a regex wildcard, as upstream.
func VirtualServiceMatch(path string) URIMatch {
	if path == CatchAll {
		return URIMatch{Prefix: "/"}
	}
	return URIMatch{Regex: "^" + operatorRegexes.Replace(path) + "$"}
}

// CheckRegex reports a path whose VirtualService regex RE2 refuses. The CRD admits
// regex characters in literal segments ("/a(", "/a++") and the translation copies
// them unescaped, as the controller does, so istiod (and Envoy) would reject the
// VirtualService when it is applied; render time can say so first.
func CheckRegex(path string) error {
	return CheckRE2(VirtualServiceMatch(path).Regex, "path %q becomes the VirtualService regex %q", path)
}

// CheckRE2 compiles regex ("" is fine) and words a refusal with what (a format whose
// last argument is the regex) followed by RE2's reason.
func CheckRE2(regex, what string, a ...any) error {
	if regex == "" {
		return nil
	}
	if _, err := regexp.Compile(regex); err != nil {
		return fmt.Errorf(what+", which is not valid RE2 (%v): Istio would reject the VirtualService", append(append(a, regex), err)...)
	}
	return nil
}

// Template returns the path as an Istio path template: CatchAll becomes `/{**}`,
// every other path is already one. AuthorizationPolicies and the shadowing check use it.
func Template(path string) string {
	if path == CatchAll {
		return Root + AnySegments
	}
	return path
}

// OperatorError is a problem with the operators of a path; its text is the
// controller's validation message.
type OperatorError string

func (e OperatorError) Error() string { return string(e) }

// The controller's messages for misplaced operators.
const (
	ErrSeveralAnySegments OperatorError = "Only one {**} operator is allowed in the path."
	ErrAnySegmentsNotLast OperatorError = "The {**} operator must be the last operator in the path."
)

// CheckOperators reports whether `{**}` is used as the controller allows: at most
// once, and with no operator after it. Paths without `{**}` always pass (the CRD
// pattern already restricts operators to whole segments).
func CheckOperators(path string) error {
	switch n := strings.Count(path, AnySegments); {
	case n == 0:
		return nil
	case n > 1:
		return ErrSeveralAnySegments
	}
	seenAny := false
	for _, seg := range segments(path) {
		if seg != OneSegment && seg != AnySegments {
			continue
		}
		if seenAny {
			return ErrAnySegmentsNotLast
		}
		seenAny = seg == AnySegments
	}
	return nil
}

// segments splits a path the controller's way: leading slashes dropped, then split
// on `/`, so "/" is one empty segment and "/a/" is "a" and "".
func segments(path string) []string {
	return strings.Split(strings.TrimLeft(path, "/"), "/")
}

// Route is what the path checks need of a rule.
type Route struct {
	Path    string
	Methods []string
}

// NotPaths returns the notPaths of the AuthorizationPolicies of routes[i]: the paths
// of the other routes that share a method with it, so that a general policy does not
// also grant what a more specific rule restricts. As upstream, the scan skips
// CatchAll, `/{**}` and Root and stops at the first route whose path equals
// routes[i].Path; because the skip comes first, a catch-all or root route collects
// the paths of all other routes, including later ones.
func NotPaths(routes []Route, i int) []string {
	current := routes[i]
	var out []string
	for _, r := range routes {
		if isCatchAllOrRoot(r.Path) {
			continue
		}
		if r.Path == current.Path {
			break
		}
		if sharesMethod(r.Methods, current.Methods) {
			out = append(out, r.Path)
		}
	}
	return out
}

func isCatchAllOrRoot(path string) bool {
	return path == CatchAll || path == Root+AnySegments || path == Root
}

func sharesMethod(a, b []string) bool {
	for _, m := range a {
		if slices.Contains(b, m) {
			return true
		}
	}
	return false
}
