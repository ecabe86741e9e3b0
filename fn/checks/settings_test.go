package checks_test

import "testing"

// Class 5, dangerous settings: server-side URLs, plain HTTP, IP hosts, audiences,
// tokens in query parameters.
func TestSettings(t *testing.T) {
	jwt := func(jwksURI string) string {
		return `  rules:
  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: "https://idp.example.com", jwksUri: "` + jwksURI + `"}]
      authorizations: [{audiences: [orders]}]`
	}
	ory := func(config string) string {
		return `  rules:
  - path: /a
    methods: [GET]
    accessStrategies:
    - handler: jwt
      config: ` + config
	}
	const at = "spec.rules[0].jwt.authentications[0].jwksUri"
	const oryAt = "spec.rules[0].accessStrategies[0].config"
	internal := []string{
		"https://keycloak.auth.svc.cluster.local/keys", "https://keycloak.auth.svc/keys", "https://KEYCLOAK.auth.SVC.cluster.local./keys",
		"https://kubernetes.default/openid/v1/jwks", "https://kubernetes/keys", "https://localhost./keys", "https://app.localhost/keys",
		"https://metadata.google.internal/computeMetadata/v1/", "https://169.254.169.254/keys", "https://2852039166/keys",
		"https://0xa9fea9fe/keys", "https://0251.0376.0251.0376/keys", "https://127.1/keys", "https://[::1]/keys",
		"https://[::ffff:169.254.169.254]/keys", "https://[fd00:ec2::254]/keys", "https://10.0.0.5/keys", "https://100.100.100.200/keys",
		"https://0.0.0.0/keys", "https://keycloak/keys",
	}
	cases := []checkCase{
		{name: "public https jwks: nothing", items: gateway + services + v2("a", "a.example.com", jwt("https://idp.example.com/keys"))},
		{name: "near miss: a public name that only looks internal", items: gateway + services + v2("a", "a.example.com", jwt("https://svc.example.com/local/keys"))},
		{name: "plain http", items: gateway + services + v2("a", "a.example.com", jwt("http://idp.example.com/keys")),
			want: []finding{{"AF502", "shop/a", at}}},
		{name: "public IP", items: gateway + services + v2("a", "a.example.com", jwt("https://8.8.8.8/keys")),
			want: []finding{{"AF503", "shop/a", at}}},
		{name: "internal over http is one finding", items: gateway + services + v2("a", "a.example.com", jwt("http://keycloak.auth.svc.cluster.local/keys")),
			want: []finding{{"AF501", "shop/a", at}}},
		{name: "no audiences, tokens in the query", items: gateway + services + v2("a", "a.example.com", `  rules:
  - path: /a
    methods: [GET]
    jwt:
      authentications: [{issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys", fromParams: [token]}]`),
			want: []finding{{"AF504", "shop/a", "spec.rules[0].jwt.authorizations"}, {"AF505", "shop/a", "spec.rules[0].jwt.authentications[0].fromParams"}}},
		{name: "Oathkeeper jwt without target_audience (the seed's shape)", items: gateway + services +
			v1beta1("a", "a.example.com", ory(`{jwks_urls: ["https://idp.example.com/keys"]}`)),
			want: []finding{{"AF504", "shop/a", oryAt}}},
		{name: "Oathkeeper jwt with target_audience, token from a query parameter", items: gateway + services +
			v1beta1("a", "a.example.com", ory(`{jwks_urls: ["https://idp.example.com/keys"], target_audience: [orders], token_from: {query_parameter: t}}`)),
			want: []finding{{"AF505", "shop/a", oryAt + ".token_from.query_parameter"}}},
		{name: "Oathkeeper URLs: jwks file, introspection inside the cluster, hydrator metadata", items: gateway + services +
			v1beta1("a", "a.example.com", `  rules:
  - path: /a
    methods: [GET]
    accessStrategies:
    - handler: jwt
      config: {jwks_urls: ["file:///etc/secrets/jwks.json"], target_audience: [orders]}
  - path: /b
    methods: [GET]
    accessStrategies:
    - handler: oauth2_introspection
      config: {introspection_url: "http://hydra-admin.kyma-system:4445/admin/oauth2/introspect", pre_authorization: {enabled: true, client_id: c, client_secret: s, token_url: "https://169.254.169.254/token"}}
    mutators:
    - handler: hydrator
      config: {api: {url: "http://metadata.google.internal/computeMetadata/v1/"}}`),
			want: []finding{{"AF501", "shop/a", oryAt + ".jwks_urls[0]"},
				{"AF501", "shop/a", "spec.rules[1].accessStrategies[0].config.introspection_url"},
				{"AF501", "shop/a", "spec.rules[1].accessStrategies[0].config.pre_authorization.token_url"},
				{"AF501", "shop/a", "spec.rules[1].mutators[0].config.api.url"}}},
	}
	for _, u := range internal {
		cases = append(cases, checkCase{name: "internal " + u, items: gateway + services + v2("a", "a.example.com", jwt(u)),
			want: []finding{{"AF501", "shop/a", at}}})
	}
	runTable(t, []string{"AF501", "AF502", "AF503", "AF504", "AF505"}, cases)
}

// AF310: paths that proxies normalise differently; a v1beta1 path is a regex, whose
// backslashes escape.
func TestNormalisedPaths(t *testing.T) {
	v2path := func(p string) string {
		return gateway + services + v2("a", "a.example.com", "  rules:\n"+noAuthRule(p, "GET"))
	}
	v1path := func(p string) string {
		return gateway + services + v1beta1("a", "a.example.com", "  rules: [{path: '"+p+"', methods: [GET], accessStrategies: [{handler: allow}]}]")
	}
	runTable(t, []string{"AF310"}, []checkCase{
		{name: "v2 dot segment", items: v2path("/a/../b"), want: []finding{{"AF310", "shop/a", "spec.rules[0].path"}}},
		{name: "v2 percent", items: v2path("/a%2fb"), want: []finding{{"AF310", "shop/a", "spec.rules[0].path"}}},
		{name: "v1beta1 double slash", items: v1path("/a//b"), want: []finding{{"AF310", "shop/a", "spec.rules[0].path"}}},
		{name: "near miss: v1beta1 regex escape", items: v1path(`/static/.+\.js`)},
		{name: "near miss: a plain path", items: v2path("/a/b")},
	})
}

// Class 5, CORS: credentials with an origin matcher a hostile site also matches.
func TestCORS(t *testing.T) {
	cors := func(credentials, origins string) string {
		return `  corsPolicy:
    allowCredentials: ` + credentials + `
    allowOrigins: ` + origins + `
  rules:
  - path: /a
    methods: [GET]
    noAuth: true`
	}
	var cases []checkCase
	for _, o := range []string{`{regex: ".*"}`, `{regex: "https?://.*"}`, `{regex: "(.*)"}`, `{regex: ".+"}`, `{prefix: "https://"}`,
		`{prefix: "http"}`, `{prefix: "https://app.example.com"}`, `{regex: ".*example\\.com"}`, `{regex: "https://.*example.com"}`,
		`{exact: "*"}`, `{regex: "https://app\\.example\\.com.*"}`} {
		cases = append(cases, checkCase{name: "hostile " + o, items: gateway + services + v2("a", "a.example.com", cors("true", "["+o+"]")),
			want: []finding{{"AF506", "shop/a", "spec.corsPolicy.allowOrigins[0]." + o[1:indexByte(o, ':')]}}})
	}
	for _, o := range []string{`{exact: "https://app.example.com"}`, `{regex: "https://app\\.example\\.com"}`,
		`{regex: "https://[a-z]+\\.example\\.com"}`, `{regex: "https?://(.*\\.)?example\\.com"}`} {
		cases = append(cases, checkCase{name: "near miss " + o, items: gateway + services + v2("a", "a.example.com", cors("true", "["+o+"]"))})
	}
	cases = append(cases, checkCase{name: "near miss: any origin without credentials", items: gateway + services + v2("a", "a.example.com", cors("false", `[{regex: ".*"}]`))},
		checkCase{name: "v1beta1, second origin", items: gateway + services + v1beta1("a", "a.example.com", `  corsPolicy:
    allowCredentials: true
    allowOrigins: [{exact: "https://app.example.com"}, {regex: ".*"}]
  rules:
  - path: /a
    methods: [GET]
    accessStrategies: [{handler: no_auth}]`), want: []finding{{"AF506", "shop/a", "spec.corsPolicy.allowOrigins[1].regex"}}})
	runTable(t, []string{"AF506"}, cases)
}

func indexByte(s string, c byte) int {
	for i := range s {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Class 5: mutator templates that call functions, credential headers on JWT rules.
func TestTemplatesAndCredentialHeaders(t *testing.T) {
	noop := func(mutators string) string {
		return gateway + services + v1beta1("a", "a.example.com", "  rules:\n  - {path: /a, methods: [GET], accessStrategies: [{handler: noop}], mutators: "+mutators+"}")
	}
	v2jwt := func(headers string) string {
		return gateway + services + v2("a", "a.example.com", "  rules:\n"+jwtRule("/a", "GET")+"\n    request: {headers: "+headers+"}")
	}
	cases := []checkCase{
		{name: "env in a header template", items: noop(`[{handler: header, config: {headers: {X-Secret: '{{ env "DB_PASSWORD" }}'}}}]`),
			want: []finding{{"AF507", "shop/a", "spec.rules[0].mutators[0].config.headers.X-Secret"}}},
		{name: "expandenv in an id_token claim", items: noop(`[{handler: id_token, config: {claims: '{"aud": "{{ expandenv \"$HOME\" }}"}'}}]`),
			want: []finding{{"AF507", "shop/a", "spec.rules[0].mutators[0].config.claims"}}},
		{name: "another function, piped", items: noop(`[{handler: header, config: {headers: {X-User: '{{ .Subject | b64enc }}'}}}]`),
			want: []finding{{"AF507", "shop/a", "spec.rules[0].mutators[0].config.headers.X-User"}}},
		{name: "near miss: printing session fields", items: noop(`[{handler: header, config: {headers: {X-User: '{{ print .Subject }}', X-Mail: '{{ print .Extra.email }}'}}}]`)},
		{name: "Authorization set on a v2 JWT rule", items: v2jwt(`{Authorization: "Bearer service-token"}`),
			want: []finding{{"AF508", "shop/a", "spec.rules[0].request.headers.Authorization"}}},
		{name: "x-api-key in any case", items: v2jwt(`{X-API-Key: k}`),
			want: []finding{{"AF508", "shop/a", "spec.rules[0].request.headers.X-API-Key"}}},
		{name: "Istio handler: a header mutator on a jwt rule", spec: "{jwtHandler: istio}",
			items: gateway + services + v1beta1("a", "a.example.com", `  rules:
  - path: /a
    methods: [GET]
    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys"}], authorizations: [{audiences: [a]}]}}]
    mutators: [{handler: header, config: {headers: {authorization: "Basic c2VydmljZQ=="}}}]`),
			want: []finding{{"AF508", "shop/a", "spec.rules[0].mutators[0].config.headers.authorization"}}},
		{name: "near miss: another header on a JWT rule", items: v2jwt(`{X-Tenant: t1}`)},
		{name: "near miss: Authorization on a public rule",
			items: gateway + services + v2("a", "a.example.com", "  rules:\n"+noAuthRule("/a", "GET")+"\n    request: {headers: {Authorization: x}}")},
	}
	runTable(t, []string{"AF507", "AF508"}, cases)
}
