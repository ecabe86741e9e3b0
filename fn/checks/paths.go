package checks

import (
	"fmt"
	"strings"
)

// Policy traps: where the routes and policies the controller writes for a path
// match other requests than the path reads.

var normalisedPath = &Check{
	ID: "AF310", Severity: Medium,
	Why: "a path with `//`, dot segments, `%`, a backslash or `;`: the mesh, Oathkeeper and the backend normalise such paths differently, which is how path-based rules get bypassed",
	Fix: "use plain segments; set the mesh's pathNormalization to MERGE_SLASHES or stricter",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			for i, p := range rulePaths(ar) {
				if ar.V1beta1 != nil {
					// A v1beta1 path is a regex: a backslash escapes, "%" and ";" are
					// as literal as in v2; "//" and dot segments are still written out.
					p = strings.ReplaceAll(p, `\`, "")
				}
				if bad := oddSegment(p); bad != "" {
					rep.At(ar, fmt.Sprintf("spec.rules[%d].path", i),
						"path %q contains %q: proxies and backends normalise such paths differently, which can bypass path-based rules", rulePaths(ar)[i], bad)
				}
			}
		}
	},
}

// rulePaths are the paths of the APIRule's rules, by rule index.
func rulePaths(ar *APIRule) []string {
	var out []string
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil:
		for _, r := range ar.V2.Spec.Rules {
			out = append(out, r.Path)
		}
	case ar.V1beta1 != nil:
		for _, r := range ar.V1beta1.Spec.Rules {
			out = append(out, r.Path)
		}
	}
	return out
}

// oddSegment returns the first piece of p that proxies normalise differently, or "".
func oddSegment(p string) string {
	for _, bad := range []string{"//", "/./", "/../", "%", "\\", ";"} {
		if strings.Contains(p, bad) {
			return bad
		}
	}
	for _, dot := range []string{"/..", "/."} {
		if strings.HasSuffix(p, dot) {
			return dot
		}
	}
	return ""
}
