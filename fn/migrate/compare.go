package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// otherIssuer stands for a token of an issuer the APIRule does not name.
const otherIssuer = "https://other-issuer.invalid"

// allMethods are the methods a request table tries besides a rule's own.
var allMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// Requests is the table of requests of one converted rule: its methods plus one
// it does not list, paths inside and next to its path, and no token, a token
// meeting each authorization, the same without scopes and without audiences, and
// a token of another issuer.
func Requests(host string, r apirule.V2Rule) []access.Request {
	methods := slices.Clone(r.Methods)
	for _, m := range allMethods {
		if !slices.Contains(r.Methods, m) {
			methods = append(methods, m)
			break
		}
	}
	tokens := []*access.Token{nil}
	if r.JWT != nil {
		authz := r.JWT.Authorizations
		if len(authz) == 0 {
			authz = []*apirule.JWTAuthorization{{}}
		}
		for _, a := range r.JWT.Authentications {
			at := func(issuer string, scopes, audiences []string) *access.Token {
				t := &access.Token{Issuer: issuer, Scopes: scopes, Audiences: audiences}
				if len(a.FromHeaders) > 0 {
					t.Header = a.FromHeaders[0].Name
				} else if len(a.FromParams) > 0 {
					t.Param = a.FromParams[0]
				}
				return t
			}
			for _, z := range authz {
				if z == nil {
					continue
				}
				tokens = append(tokens, at(a.Issuer, z.RequiredScopes, z.Audiences))
				if len(z.RequiredScopes) > 0 {
					tokens = append(tokens, at(a.Issuer, nil, z.Audiences))
				}
				if len(z.Audiences) > 0 {
					tokens = append(tokens, at(a.Issuer, z.RequiredScopes, nil))
				}
				tokens = append(tokens, at(otherIssuer, z.RequiredScopes, z.Audiences))
			}
		}
	}
	var out []access.Request
	for _, p := range samplePaths(r.Path) {
		for _, m := range methods {
			for _, t := range tokens {
				out = append(out, access.Request{Host: host, Method: m, Path: p, Token: t})
			}
		}
	}
	return out
}

// samplePaths are paths inside a v2 path and next to it.
func samplePaths(path string) []string {
	if path == "/*" {
		return []string{"/", "/a", "/a/b/c"}
	}
	inside := strings.ReplaceAll(strings.ReplaceAll(path, "{**}", "x/y"), "{*}", "x")
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(inside)
	add(strings.ReplaceAll(strings.ReplaceAll(path, "{**}", ""), "{*}", "x"))
	trimmed := strings.TrimSuffix(inside, "/")
	add(trimmed + "/z")
	add(trimmed + "z")
	if i := strings.LastIndexByte(trimmed, '/'); i > 0 {
		add(trimmed[:i])
	} else {
		add("/")
	}
	return out
}

// verdict is what the comparison holds a decision to: routed or not, let through
// or refused (401 and 403 alike), and to which Service.
func verdict(d access.Decision) string {
	switch d.Outcome {
	case access.Allowed:
		return "allowed to " + d.Service
	case access.Unauthenticated, access.Denied:
		return "refused"
	}
	return string(d.Outcome)
}

// compare evaluates the request table of every rule against the old and the new
// objects and describes the differences, per rule: their likely causes, then the
// first requests that differ.
func compare(old, updated *access.Mesh, host string, rules []apirule.V2Rule) []Finding {
	var out []Finding
	for i, r := range rules {
		var diffs, causes []string
		for _, req := range Requests(host, r) {
			a, b := old.Evaluate(req), updated.Evaluate(req)
			if va, vb := verdict(a), verdict(b); va != vb {
				diffs = append(diffs, fmt.Sprintf("%s: before %s, after %s", req, va, vb))
				if c := cause(r, req, a, b); !slices.Contains(causes, c) {
					causes = append(causes, c)
				}
			}
		}
		if len(diffs) == 0 {
			continue
		}
		const shown = 3
		msg := strings.Join(diffs[:min(shown, len(diffs))], "; ")
		if len(diffs) > shown {
			msg += fmt.Sprintf("; and %d more", len(diffs)-shown)
		}
		out = append(out, Finding{Path: fmt.Sprintf("spec.rules[%d]", i),
			Message: "access changes with the v2 form: " + strings.Join(causes, "; ") + ". For example " + msg})
	}
	return out
}

// cause names the likely reason of one difference, in the user's terms.
func cause(r apirule.V2Rule, req access.Request, before, after access.Decision) string {
	switch {
	case !slices.Contains(r.Methods, req.Method):
		return "v2 routes only the rule's methods, the old route took others too"
	case before.Outcome == access.NotRouted:
		return "the old objects did not route this: a v1beta1 rule on a path an earlier rule has gets no route, or the old regex did not match"
	case after.Outcome == access.NotRouted:
		return "the v2 path matches less than the old regex"
	case refused(before) && after.Outcome == access.Allowed:
		return "the old AuthorizationPolicy never matched this path, reading its regex literally, or asked more of the token"
	case before.Outcome == access.Allowed && refused(after) && req.Token == nil:
		return "a token-less policy let this through before, v2 asks for a token"
	case before.Outcome == access.Allowed && refused(after):
		return "v2 asks more of the token: issuer, scopes or audiences"
	}
	return "the decision differs"
}

func refused(d access.Decision) bool {
	return d.Outcome == access.Unauthenticated || d.Outcome == access.Denied
}
