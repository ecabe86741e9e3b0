// Package oathkeeperrules checks, at render time, what Oathkeeper would refuse in the
// Rules the function writes. Oathkeeper loads every Rule of the cluster into one set;
// a Rule it cannot read does not only fail its own route, so the function refuses such
// a Rule with an error at the APIRule field it comes from instead of writing it.
//
// Two checks, each with Oathkeeper's own semantics (v0.40.9, the version the e2e test
// runs):
//   - MatchURL compiles a match.url as Oathkeeper's regexp matching strategy does
//     (ladon's compiler.CompileRegex with the delimiters < and >): delimiters must be
//     balanced, and every pattern between them and the whole URL must compile with
//     regexp2 in RE2 mode. The few lines of ladon's template logic are written here;
//     the test module test/apiserver compiles every produced match.url with the real
//     ladon package, so the two cannot drift unnoticed.
//   - HandlerConfig validates a handler's config against the JSON schema Oathkeeper
//     validates it with (embedded in schemas/, see schemas/README.md). Oathkeeper merges
//     a Rule's config over its global handler config before validating, so `required`
//     is not enforced: the global config may supply what a Rule leaves out.
package oathkeeperrules
