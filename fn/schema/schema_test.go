package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// decode turns a YAML APIRule into the map Validate takes. go-yaml decodes integers as int,
// which also covers "YAML ints" (the function's own decoder produces int64).
func decode(t testing.TB, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
	return m
}

// validate returns the violations of doc, whose version is taken from its apiVersion.
func validate(t *testing.T, doc string) []string {
	t.Helper()
	obj := decode(t, doc)
	version := strings.TrimPrefix(obj["apiVersion"].(string), "gateway.kyma-project.io/")
	vs, err := Validate(version, obj)
	require.NoError(t, err)
	out := []string{}
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

const v2Head = `
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: httpbin, namespace: demo}
`

const v1beta1Head = `
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: httpbin, namespace: demo}
`

const v1alpha1Head = `
apiVersion: gateway.kyma-project.io/v1alpha1
kind: APIRule
metadata: {name: httpbin, namespace: demo}
`

const v2alpha1Head = `
apiVersion: gateway.kyma-project.io/v2alpha1
kind: APIRule
metadata: {name: httpbin, namespace: demo}
`

func TestValidate(t *testing.T) {
	testCases := map[string]struct {
		input    string
		expected []string
	}{
		// Valid APIRules of every version.
		"v2 valid, all rule kinds": {
			input: v2Head + `
spec:
  hosts: [httpbin.example.com]
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000, namespace: demo}
  timeout: 300
  corsPolicy: {allowOrigins: [{exact: "https://a.example.com"}], allowCredentials: false, maxAge: 600}
  rules:
  - {path: /headers, methods: [GET], noAuth: true, request: {headers: {X-A: b}, cookies: {c: d}}}
  - path: /anything/{*}/x
    methods: [POST, PUT]
    jwt:
      authentications: [{issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks", fromHeaders: [{name: X-Jwt, prefix: "Bearer "}]}]
      authorizations: [{requiredScopes: [read], audiences: [aud1]}]
  - path: /{**}
    methods: [DELETE]
    extAuth: {authorizers: [oauth2-proxy], restrictions: {authentications: [{issuer: i, jwksUri: j}]}}
  - {path: /*, methods: [GET], noAuth: true, service: {name: other, port: 9000}, timeout: 3900}
`,
			expected: []string{},
		},
		"v2alpha1 valid with externalGateway": {
			input: v2alpha1Head + `
spec:
  hosts: ["*.example.com"]
  externalGateway: ns/ext
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{},
		},
		"v1beta1 valid": {
			input: v1beta1Head + `
spec:
  host: httpbin
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service: {name: httpbin, port: 8000}
  corsPolicy: {maxAge: 10m, allowOrigins: [{regex: ".*"}]}
  rules:
  - path: /.*
    methods: [GET, POST]
    accessStrategies: [{handler: jwt, config: {trusted_issuers: ["https://x"], anything: [1, 2]}}]
    mutators: [{handler: header, config: {headers: {X-A: b}}}]
    timeout: 10
`,
			expected: []string{},
		},
		"v1alpha1 valid, methods are not an enum there": {
			input: v1alpha1Head + `
spec:
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000, host: httpbin.example.com, external: false}
  rules: [{path: /.*, methods: [get], accessStrategies: [{handler: allow}]}]
`,
			expected: []string{},
		},

		// required
		"required at spec and nested level": {
			input: v2Head + `
spec:
  rules: [{methods: [GET], noAuth: true}]
  service: {port: 80}
`,
			expected: []string{
				"spec.hosts: Required value",
				"spec.rules[0].path: Required value",
				"spec.service.name: Required value",
			},
		},
		"v2 requires spec": {
			input:    v2Head,
			expected: []string{"spec: Required value"},
		},
		"v1beta1 does not require spec, as the API server": {
			input:    v1beta1Head,
			expected: []string{},
		},

		// types
		"type errors: quoted port, string hosts, object rules": {
			input: v2Head + `
spec:
  hosts: httpbin.example.com
  service: {name: httpbin, port: "8000"}
  rules: {path: /}
`,
			expected: []string{
				`spec.hosts: Invalid value: "string": spec.hosts in body must be of type array: "string"`,
				`spec.rules: Invalid value: "object": spec.rules in body must be of type array: "object"`,
				`spec.service.port: Invalid value: "string": spec.service.port in body must be of type integer: "string"`,
			},
		},
		"type errors: number for integer, integer for boolean and string": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  timeout: 1.5
  rules: [{path: /, methods: [GET], noAuth: 1, request: {headers: {X-A: 5}}}]
`,
			expected: []string{
				// noAuth: 1 is not true, so no access strategy is set either.
				`spec.rules[0]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`,
				`spec.rules[0].noAuth: Invalid value: "integer": spec.rules[0].noAuth in body must be of type boolean: "integer"`,
				`spec.rules[0].request.headers.X-A: Invalid value: "integer": spec.rules[0].request.headers.X-A in body must be of type string: "integer"`,
				`spec.timeout: Invalid value: "number": spec.timeout in body must be of type integer: "number"`,
			},
		},
		"integral floats are integers, as JSON 8e3 is for the API server": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  timeout: 8e2
  rules: [{path: /, methods: [GET], noAuth: true, timeout: 30.0}]
`,
			expected: []string{},
		},

		// patterns (Go RE2, unanchored where the CRD is)
		"patterns": {
			input: v1beta1Head + `
spec:
  host: "-bad host"
  gateway: Kyma/Gateway
  service: {name: s, port: 1, namespace: Demo}
  rules: [{path: "~x", methods: [GET], accessStrategies: [{handler: allow}]}]
`,
			expected: []string{
				`spec.gateway: Invalid value: "Kyma/Gateway": spec.gateway in body should match '^[0-9a-z-_]+(\/[0-9a-z-_]+|(\.[0-9a-z-_]+)*)$'`,
				`spec.host: Invalid value: "-bad host": spec.host in body should match '^([a-zA-Z0-9][a-zA-Z0-9-_]*\.)*[a-zA-Z0-9]*[a-zA-Z0-9-_]*[[a-zA-Z0-9]+$'`,
				`spec.rules[0].path: Invalid value: "~x": spec.rules[0].path in body should match '^([0-9a-zA-Z./*()?!\\_-]+)'`,
				`spec.service.namespace: Invalid value: "Demo": spec.service.namespace in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'`,
			},
		},
		"v1beta1 path pattern is anchored at the start only, as upstream": {
			input: v1beta1Head + `
spec:
  host: a.example.com
  gateway: g
  rules: [{path: "/ok then anything ~#", methods: [GET], accessStrategies: [{handler: allow}]}]
`,
			expected: []string{},
		},
		"v2 path pattern": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  rules:
  - {path: "/a/{***}", methods: [GET], noAuth: true}
  - {path: "/a%2", methods: [GET], noAuth: true}
  - {path: "/a%2F/{**}/b", methods: [GET], noAuth: true}
`,
			expected: []string{
				`spec.rules[0].path: Invalid value: "/a/{***}": spec.rules[0].path in body should match '^((\/([A-Za-z0-9-._~!$&'()+,;=:@]|%[0-9a-fA-F]{2})*)|(\/\{\*{1,2}\}))+$|^\/\*$'`,
				`spec.rules[1].path: Invalid value: "/a%2": spec.rules[1].path in body should match '^((\/([A-Za-z0-9-._~!$&'()+,;=:@]|%[0-9a-fA-F]{2})*)|(\/\{\*{1,2}\}))+$|^\/\*$'`,
			},
		},

		// lengths, counted in code points
		"minLength and maxLength": {
			input: v1beta1Head + `
spec:
  host: ab
  gateway: g
  rules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]
`,
			expected: []string{`spec.host: Invalid value: "ab": spec.host in body should be at least 3 chars long`},
		},
		"maxLength counts code points, not bytes": {
			// gateway: 127 two-byte characters are 254 bytes but within maxLength 127 (only the
			// CEL rule fails); externalGateway: 128 characters are too long.
			input: v2Head + `
spec:
  hosts: [a.example.com]
  gateway: ` + strings.Repeat("é", 127) + `
  externalGateway: ` + strings.Repeat("a", 64) + "/" + strings.Repeat("b", 63) + `
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{
				`spec.externalGateway: Invalid value: "` + strings.Repeat("a", 64) + "/" + strings.Repeat("b", 63) + `": ExternalGateway must be in the namespace/name format`,
				`spec.externalGateway: Too long: may not be more than 127 characters`,
				`spec.gateway: Invalid value: "` + strings.Repeat("é", 127) + `": Gateway must be in the namespace/name format`,
			},
		},

		// ranges
		"minimum and maximum": {
			input: v1beta1Head + `
spec:
  host: a.example.com
  gateway: g
  timeout: 0
  service: {name: s, port: 65536}
  rules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}], timeout: 3901}]
`,
			expected: []string{
				`spec.rules[0].timeout: Invalid value: 3901: spec.rules[0].timeout in body should be less than or equal to 3900`,
				`spec.service.port: Invalid value: 65536: spec.service.port in body should be less than or equal to 65535`,
				`spec.timeout: Invalid value: 0: spec.timeout in body should be greater than or equal to 1`,
			},
		},
		"int32 format": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  service: {name: s, port: 3000000000}
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{
				`spec.service.port: Invalid value: 3000000000: spec.service.port in body must be of type integer with format int32`,
				`spec.service.port: Invalid value: 3000000000: spec.service.port in body should be less than or equal to 65535`,
			},
		},

		// item counts
		"minItems and maxItems": {
			input: v2Head + `
spec:
  hosts: [a.example.com, b.example.com]
  rules: [{path: /, methods: [], noAuth: true}]
`,
			expected: []string{
				`spec.hosts: Too many: 2: must have at most 1 item`,
				`spec.rules[0].methods: Invalid value: 0: spec.rules[0].methods in body should have at least 1 items`,
			},
		},
		"empty rules": {
			input: v2Head + `
spec: {hosts: [a.example.com], rules: []}
`,
			expected: []string{`spec.rules: Invalid value: 0: spec.rules in body should have at least 1 items`},
		},

		// enums
		"enum is case-sensitive": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  rules: [{path: /, methods: [get, PATCH], noAuth: true}]
`,
			expected: []string{
				`spec.rules[0].methods[0]: Unsupported value: "get": supported values: "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"`,
			},
		},

		// nulls
		"null properties count as absent": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  service:
  corsPolicy: null
  rules:
  - {path: /, methods: [GET], noAuth: true, jwt: null, extAuth: ~, request: {headers: {X-A: null}}}
  - {path: null, methods: [GET], jwt: {}}
`,
			expected: []string{"spec.rules[1].path: Required value"},
		},
		"null array items are type errors": {
			input: v2Head + `
spec:
  hosts: [null]
  rules: [{path: /, methods: [GET, null], noAuth: true}]
`,
			expected: []string{
				`spec.hosts[0]: Invalid value: "null": spec.hosts[0] in body must be of type string: "null"`,
				`spec.rules[0].methods[1]: Invalid value: "null": spec.rules[0].methods[1] in body must be of type string: "null"`,
			},
		},
		"a null rule leaves the exactly-one rule unsatisfied": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  rules: [{path: /, methods: [GET], jwt: null}]
`,
			expected: []string{`spec.rules[0]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`},
		},

		// unknown fields and x-kubernetes-preserve-unknown-fields
		"unknown fields are errors (stricter than the API server, which prunes them)": {
			input: v2Head + `
hosts: [misplaced.example.com]
spec:
  hosts: [a.example.com]
  service: {name: s, port: 80, weight: 1}
  rules: [{path: /, methods: [GET], noauth: true, jwt: {authentications: [{issuer: i, jwksUri: j, jwks_uri: k}]}}]
`,
			expected: []string{
				"spec.rules[0].jwt.authentications[0].jwks_uri: Unknown field: not in the schema (the API server would prune it silently)",
				"spec.rules[0].noauth: Unknown field: not in the schema (the API server would prune it silently)",
				"spec.service.weight: Unknown field: not in the schema (the API server would prune it silently)",
				"hosts: Unknown field: not in the schema (the API server would prune it silently)",
			},
		},
		"preserve-unknown-fields still checks known properties": {
			input: v1alpha1Head + `
spec:
  gateway: g
  service: {name: s, port: 80, host: a.example.com}
  rules:
  - path: /
    methods: [GET]
    accessStrategies: [{handler: jwt, config: {jwks_urls: ["ftp://x"], trusted_issuers: "https://i", custom: {deep: [1]}}}]
`,
			expected: []string{
				`spec.rules[0].accessStrategies[0].config.jwks_urls[0]: Invalid value: "ftp://x": spec.rules[0].accessStrategies[0].config.jwks_urls[0] in body should match '^(http://|https://|file://).*$'`,
				`spec.rules[0].accessStrategies[0].config.trusted_issuers: Invalid value: "string": spec.rules[0].accessStrategies[0].config.trusted_issuers in body must be of type array: "string"`,
			},
		},

		// formats
		"duration format": {
			input: v1beta1Head + `
spec:
  host: a.example.com
  gateway: g
  corsPolicy: {maxAge: ten minutes}
  rules: [{path: /, methods: [GET], accessStrategies: [{handler: allow}]}]
`,
			expected: []string{`spec.corsPolicy.maxAge: Invalid value: "ten minutes": spec.corsPolicy.maxAge in body must be of type duration: "ten minutes"`},
		},

		// CEL rules
		"CEL: gateway and externalGateway format": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  gateway: kyma-gateway
  externalGateway: ns/Ext
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{
				`spec.externalGateway: Invalid value: "ns/Ext": ExternalGateway must be in the namespace/name format`,
				`spec.gateway: Invalid value: "kyma-gateway": Gateway must be in the namespace/name format`,
			},
		},
		"CEL: hosts": {
			input: v2alpha1Head + `
spec:
  hosts: ["*.*.example.com"]
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{
				`spec.hosts[0]: Invalid value: "*.*.example.com": Host must be a lowercase RFC 1123 label (must consist of lowercase alphanumeric characters or '-', and must start and end with an lowercase alphanumeric character), a fully qualified domain name, or a wildcard domain name (e.g. *.local.kyma.dev)`,
			},
		},
		"CEL: short host and FQDN pass": {
			input: v2Head + `
spec:
  hosts: [httpbin]
  rules: [{path: /, methods: [GET], noAuth: true}]
`,
			expected: []string{},
		},
		"CEL: exactly one of noAuth, jwt, extAuth": {
			input: v2Head + `
spec:
  hosts: [a.example.com]
  rules:
  - {path: /a, methods: [GET]}
  - {path: /b, methods: [GET], noAuth: false}
  - {path: /c, methods: [GET], noAuth: true, jwt: {}}
  - {path: /d, methods: [GET], jwt: {}, extAuth: {authorizers: [x]}}
  - {path: /e, methods: [GET], noAuth: false, extAuth: {authorizers: [x]}}
`,
			expected: []string{
				`spec.rules[0]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`,
				`spec.rules[1]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`,
				`spec.rules[2]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`,
				`spec.rules[3]: Invalid value: One of the following fields must be set: noAuth, jwt, extAuth`,
			},
		},

		// metadata and status
		"metadata name and namespace are required": {
			input: `
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
spec: {hosts: [a.example.com], rules: [{path: /, methods: [GET], noAuth: true}]}
`,
			expected: []string{"metadata.name: Required value", "metadata.namespace: Required value"},
		},
		"metadata name and namespace formats": {
			input: `
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: HttpBin_Rule, namespace: a.b}
spec: {hosts: [a.example.com], rules: [{path: /, methods: [GET], noAuth: true}]}
`,
			expected: []string{
				`metadata.name: Invalid value: "HttpBin_Rule": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
				`metadata.namespace: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
			},
		},
		"status is ignored": {
			input: v2Head + `
spec: {hosts: [a.example.com], rules: [{path: /, methods: [GET], noAuth: true}]}
status: {state: NotAState, unknown: 1}
`,
			expected: []string{},
		},
	}

	for tn, tc := range testCases {
		t.Run(tn, func(t *testing.T) {
			assert.Equal(t, tc.expected, validate(t, tc.input))
		})
	}
}

// TestValidateJSONNumbers feeds the shape encoding/json produces: every number a float64.
func TestValidateJSONNumbers(t *testing.T) {
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{
		"apiVersion": "gateway.kyma-project.io/v2", "kind": "APIRule",
		"metadata": {"name": "a", "namespace": "b"},
		"spec": {"hosts": ["a.example.com"], "service": {"name": "s", "port": 8000},
		         "rules": [{"path": "/", "methods": ["GET"], "noAuth": true, "timeout": 1e1}]}}`), &obj))
	vs, err := Validate("v2", obj)
	require.NoError(t, err)
	assert.Empty(t, vs)
}

func TestValidateUnknownVersion(t *testing.T) {
	_, err := Validate("v3", map[string]any{})
	assert.True(t, errors.Is(err, ErrUnknownVersion), "got %v", err)
}

// TestValidateDoesNotModify guards the contract that the caller's object is read only: the
// API server drops nulls and unknown fields, this package must only pretend to.
func TestValidateDoesNotModify(t *testing.T) {
	doc := v2Head + `
spec:
  hosts: [a.example.com]
  service: null
  typo: 1
  rules: [{path: /, methods: [GET], noAuth: true, jwt: null}]
`
	obj := decode(t, doc)
	_, err := Validate("v2", obj)
	require.NoError(t, err)
	assert.Equal(t, decode(t, doc), obj)
}
