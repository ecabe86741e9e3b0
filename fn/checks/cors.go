package checks

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

var corsAnyOrigin = &Check{
	ID: "AF506", Severity: High,
	Why: "allowCredentials with an origin matcher that a site the attacker registers also matches: that site can send credentialed requests and read the answers",
	Fix: "list exact origins, or write regexes that spell out the whole host (`https://app\\.example\\.com`)",
	Run: func(r *Render, rep *Report) {
		for _, ar := range r.APIRules {
			p := corsPolicy(ar)
			if p == nil || p.AllowCredentials == nil || !*p.AllowCredentials {
				continue
			}
			for i, o := range p.AllowOrigins {
				for _, kind := range slices.Sorted(maps.Keys(o)) {
					if hostile := hostileMatch(kind, o[kind]); hostile != "" {
						rep.At(ar, fmt.Sprintf("spec.corsPolicy.allowOrigins[%d].%s", i, kind),
							"allowCredentials with an origin matcher (%s: %q) that also accepts %s: that site can send credentialed requests and read the answers; list exact origins or anchor the host",
							kind, o[kind], hostile)
					}
				}
			}
		}
	},
}

func corsPolicy(ar *APIRule) *apirule.CorsPolicy {
	switch {
	case ar.V2 != nil && ar.V2.Spec != nil && ar.V2.Spec.CorsPolicy != nil:
		return &ar.V2.Spec.CorsPolicy.CorsPolicy
	case ar.V1beta1 != nil && ar.V1beta1.Spec.CorsPolicy != nil:
		return &ar.V1beta1.Spec.CorsPolicy.CorsPolicy
	}
	return nil
}

// attacker is a site an attacker controls, with every subdomain.
const attacker = "attacker.invalid"

// hostileMatch returns an origin of a site an attacker can register that the matcher
// accepts (Envoy's string matchers: exact, prefix, regex as a full RE2 match), or "".
// The candidates are the attacker's own site, and the sites built around the literal
// text the pattern starts and ends with: "<head>.attacker.invalid" (a prefix that
// does not end the host) and "attacker<tail>" (a suffix that does not start at a dot).
func hostileMatch(kind, pattern string) string {
	var match func(string) bool
	switch kind {
	case "exact":
		match = func(o string) bool { return o == pattern || pattern == "*" }
	case "prefix":
		match = func(o string) bool { return strings.HasPrefix(o, pattern) }
	case "regex":
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			return "" // refused at render time already
		}
		match = re.MatchString
	default:
		return ""
	}
	candidates := []string{"https://" + attacker, "http://" + attacker, "null"}
	head, tail := pattern, ""
	if kind == "regex" {
		head, tail = literalEnds(pattern)
	}
	if _, rest, ok := strings.Cut(head, "://"); ok {
		head = rest
	}
	if head != "" {
		site := head + "." + attacker
		if strings.HasSuffix(head, ".") {
			site = head + attacker
		}
		candidates = append(candidates, "https://"+site, "http://"+site)
	}
	if tail != "" && !strings.HasPrefix(tail, ".") {
		candidates = append(candidates, "https://attacker"+tail, "http://attacker"+tail)
	}
	for _, c := range candidates {
		if match(c) {
			return c
		}
	}
	return ""
}

// literalEnds returns the literal text a regex starts and ends with, reading "\."
// and "." alike as a dot: the host the author had in mind, as far as it is written out.
func literalEnds(pattern string) (head, tail string) {
	plain := strings.ReplaceAll(pattern, `\.`, ".")
	const meta = `*+?()[]{}|^$\`
	if i := strings.IndexAny(plain, meta); i >= 0 {
		head = plain[:i]
	} else {
		return plain, plain
	}
	return head, plain[strings.LastIndexAny(plain, meta)+1:]
}
