package istiodrules

import "fmt"

// MaxRegexLen is the longest regex istiod accepts in a string match: its stand-in for
// Envoy's limit on the compiled RE2 program size.
const MaxRegexLen = 1024

// RegexLength checks a regex written into a VirtualService match (a route's URI, a
// CORS origin): istiod refuses more than MaxRegexLen bytes. Whether the regex is RE2
// is checked apart, by urlpath.CheckRE2, which the renderers run first.
func RegexLength(re string) error {
	if len(re) > MaxRegexLen {
		return fmt.Errorf("the regex is %d bytes long: istiod refuses regexes longer than %d bytes", len(re), MaxRegexLen)
	}
	return nil
}
