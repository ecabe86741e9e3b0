package processor

import "testing"

// TestOathkeeperRefusals: what Oathkeeper would refuse in a generated Rule fails the
// APIRule at its field (issue 10, classes 4 and 6).
func TestOathkeeperRefusals(t *testing.T) {
	rule := func(path, strategy, mutators string) string {
		s := "  - path: '" + path + "'\n    methods: [GET]\n    accessStrategies: [" + strategy + "]\n"
		if mutators != "" {
			s += "    mutators: [" + mutators + "]\n"
		}
		return s
	}
	const noop = "{handler: noop}"
	runIstiodCases(t, []istiodCase{
		{name: "unbalanced > in the path", apiRule: istiodV1beta1, rules: rule("/a>b", noop, ""),
			path: "spec.rules[0].path", message: `a ">" at byte 36 closes no "<"`},
		{name: "unbalanced < in the path", apiRule: istiodV1beta1, rules: rule("/a<b", noop, ""),
			path: "spec.rules[0].path", message: `never closed by ">"`},
		{name: "jwt config key typo", apiRule: istiodV1beta1,
			rules: rule("/a", "{handler: jwt, config: {jwks_urls: ['https://i.example.com/jwks'], requiredScope: [read]}}", ""),
			path:  "spec.rules[0].accessStrategies[0].config", message: "additional properties 'requiredScope' not allowed"},
		{name: "introspection url not a URI", apiRule: istiodV1beta1,
			rules: rule("/a", "{handler: oauth2_introspection, config: {introspection_url: 'not a uri'}}", ""),
			path:  "spec.rules[0].accessStrategies[0].config.introspection_url", message: "'not a uri' is not valid uri"},
		{name: "header mutator value not a string", apiRule: istiodV1beta1,
			rules: rule("/a", noop, "{handler: header, config: {headers: {X-A: 1}}}"),
			path:  "spec.rules[0].mutators[0].config.headers.X-A", message: "got number, want string"},
		{name: "unknown mutator", apiRule: istiodV1beta1,
			rules: rule("/a", noop, "{handler: headers, config: {headers: {X-A: a}}}"),
			path:  "spec.rules[0].mutators[0].handler", message: `Oathkeeper has no mutator handler "headers"`},
	})
}
