package migrate

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// literalRe is a v1alpha1/v1beta1 path regex that is a plain path: no regex
// operator but ".", which the path then surely means literally (v2 keeps a "." in
// its VirtualService regex too, and its AuthorizationPolicy reads it literally).
var literalRe = regexp.MustCompile(`^(/[A-Za-z0-9\-._~!&',;=:@]*)+$`)

// translatePath returns the v2 path that means what the old regex path means, or
// why there is none. istio tells whether the Istio JWT handler was in effect, under
// which the exact path "/*" is a prefix match; as a regex (Oathkeeper handler) it
// matches only slashes.
func translatePath(path string, istio bool) (string, string) {
	switch {
	case path == "/.*":
		return "/*", ""
	case path == "/*" && istio:
		return "/*", ""
	case path == "/*":
		return "", `as a regex "/*" matches only "/", "//" and so on, not every path; write "/" or "/*" in v2, whichever was meant`
	case literalRe.MatchString(path) && apirule.IsV2Path(path):
		return path, ""
	}
	if prefix, ok := strings.CutSuffix(path, "/.*"); ok && literalRe.MatchString(prefix) && apirule.IsV2Path(prefix+"/{**}") {
		return prefix + "/{**}", ""
	}
	return "", fmt.Sprintf("regex path %q has no exact v2 translation (v2 paths are literal segments, {*} for one segment, {**} for the rest, or /*): rewrite the rule in those terms", path)
}
