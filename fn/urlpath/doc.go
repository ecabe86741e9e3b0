// Package urlpath handles the paths of v2/v2alpha1 APIRule rules the way the Kyma API
// Gateway controller does.
//
// A v2 path is made of literal segments and whole-segment operators: `{*}` matches
// exactly one segment, `{**}` any number of segments (including none); the path `/*`
// on its own means "every path". The controller turns a path into
//   - a VirtualService URI match: `/*` is the prefix `/`, anything else a full-match
//     regex in which only the operators are replaced (literal characters such as `.`
//     or `+` are deliberately not escaped, as upstream),
//   - an AuthorizationPolicy path template (Istio >= 1.22): the path itself, `/*`
//     written as `/{**}`,
//   - the notPaths that keep a catch-all policy from overriding a more specific rule.
//
// It also holds the controller's path validation: operator placement and the
// per-method shadowing check ("a general path must not come before a more specific
// one"), including the upstream check's known gaps, because parity with the controller
// matters more here than a perfect overlap analysis.
package urlpath
