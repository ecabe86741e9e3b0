package cmd

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// createdAsV2Cluster is what the APIRules of TestCreatedAsV2 refer to.
const createdAsV2Cluster = `
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata: {name: kyma-gateway, namespace: kyma-system}
  spec:
    selector: {istio: ingressgateway}
    servers:
    - hosts: ['*.example.org']
      port: {number: 443, name: https, protocol: HTTPS}
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata: {name: custom-gw, namespace: shop}
  spec:
    selector: {istio: ingressgateway}
    servers:
    - hosts: ['*.custom.example.net']
      port: {number: 443, name: https, protocol: HTTPS}
- apiVersion: v1
  kind: Service
  metadata: {name: orders, namespace: shop}
  spec:
    selector: {app: orders}
    ports: [{port: 8080}]
`

// renderItems runs the function over the cluster objects plus items (a YAML list
// body) with the given config spec, and returns the normalized generated objects,
// the error results as "path: message" and the warning results likewise.
func renderItems(t *testing.T, cfgSpec, items string) (objects, errs, warnings []string) {
	t.Helper()
	rl := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + createdAsV2Cluster + items +
		"functionConfig:\n  apiVersion: apirule.krm.dev/v1alpha1\n  kind: APIRuleTransformer\n  metadata: {name: render}\n  spec: {" + cfgSpec + "}\n"
	stdout, stderr, _ := runFn([]byte(rl))
	var out output
	require.NoError(t, yaml.Unmarshal(stdout, &out), "stderr: %s", stderr)
	for _, it := range out.Items {
		if isGenerated(it) {
			objects = append(objects, normalize(it))
		}
	}
	sort.Strings(objects)
	for _, r := range out.Results {
		switch r.Severity {
		case "error":
			errs = append(errs, r.Field.Path+": "+r.Message)
		case "warning":
			warnings = append(warnings, r.Field.Path+": "+r.Message)
		}
	}
	return objects, errs, warnings
}

// TestCreatedAsV2 shows the API server's conversion at parity: a v1beta1 APIRule
// annotated original-version: v2 (or v2alpha1) renders exactly as the v2 APIRule
// the conversion makes of it; when one rule does not convert, no rule does, the
// controller's "No rules defined" is reported and each blocking field is named.
func TestCreatedAsV2(t *testing.T) {
	const head = `
- apiVersion: gateway.kyma-project.io/v1beta1
  kind: APIRule
  metadata:
    name: orders
    namespace: shop
    annotations: {gateway.kyma-project.io/original-version: %s}
  spec:
    host: orders
    service: {name: orders, port: 8080}
    gateway: %s
    timeout: 30
`
	const v2Head = `
- apiVersion: gateway.kyma-project.io/v2alpha1
  kind: APIRule
  metadata: {name: orders, namespace: shop}
  spec:
    hosts: [orders]
    service: {name: orders, port: 8080}
    gateway: %s
    timeout: 30
`
	convertible := `
    rules:
    - path: /health
      methods: [GET]
      accessStrategies: [{handler: no_auth}]
      mutators:
      - {handler: header, config: {headers: {X-Team: shop}}}
      - {handler: cookie, config: {cookies: {lang: en}}}
      - {handler: id_token, config: {}}
    - path: /api/{**}
      methods: [GET, POST]
      timeout: 10
      accessStrategies:
      - handler: jwt
        config:
          trusted_issuers: [https://issuer.example.org]
          jwks_urls: [https://issuer.example.org/keys]
          required_scope: [read]
          target_audience: [orders]
    - path: /*
      methods: [GET]
      accessStrategies:
      - handler: jwt
        config:
          authentications: [{issuer: https://other.example.org, jwksUri: https://other.example.org/keys}]
          authorizations: []
`
	converted := `
    rules:
    - path: /health
      methods: [GET]
      noAuth: true
      request: {headers: {X-Team: shop}, cookies: {lang: en}}
    - path: /api/{**}
      methods: [GET, POST]
      timeout: 10
      jwt:
        authentications: [{issuer: https://issuer.example.org, jwksUri: https://issuer.example.org/keys}]
        authorizations: [{requiredScopes: [read], audiences: [orders]}]
    - path: /*
      methods: [GET]
      jwt:
        authentications: [{issuer: https://other.example.org, jwksUri: https://other.example.org/keys}]
`
	blocked := `
    rules:
    - path: /health
      methods: [GET]
      accessStrategies: [{handler: no_auth}]
    - path: /api/.*
      methods: [GET]
      accessStrategies: [{handler: noop}]
    - path: /orders
      methods: [POST]
      accessStrategies:
      - handler: jwt
        config: {trusted_issuers: [https://a.example.org, https://b.example.org], jwks_urls: [https://a.example.org/keys]}
`
	for _, c := range []struct {
		name, input, v2 string
		errs            []string
		warnings        []string
	}{{
		name:  "every rule converts",
		input: fmt.Sprintf(head, "v2", "kyma-system/kyma-gateway") + convertible,
		v2:    fmt.Sprintf(v2Head, "kyma-system/kyma-gateway") + converted,
	}, {
		name:  "original-version v2alpha1 too",
		input: fmt.Sprintf(head, "v2alpha1", "kyma-system/kyma-gateway") + convertible,
		v2:    fmt.Sprintf(v2Head, "kyma-system/kyma-gateway") + converted,
	}, {
		name:  "old gateway name translated",
		input: fmt.Sprintf(head, "v2", "kyma-gateway.kyma-system.svc.cluster.local") + convertible,
		v2:    fmt.Sprintf(v2Head, "kyma-system/kyma-gateway") + converted,
	}, {
		name:  "bare gateway name is in the APIRule's namespace",
		input: fmt.Sprintf(head, "v2", "custom-gw") + convertible,
		v2:    fmt.Sprintf(v2Head, "shop/custom-gw") + converted,
	}, {
		name:  "gateway that does not translate is dropped",
		input: fmt.Sprintf(head, "v2", "custom-gw.shop.local") + convertible,
		errs:  []string{"spec: Either gateway or externalGateway must be specified"},
	}, {
		name:  "one rule that does not convert drops every rule",
		input: fmt.Sprintf(head, "v2", "kyma-system/kyma-gateway") + blocked,
		errs:  []string{"spec.rules: No rules defined"},
		warnings: []string{
			`spec.rules[1].path: path "/api/.*" is not a v2 path`,
			"spec.rules[1].accessStrategies[0].handler: handler noop has no v2 equivalent",
			"spec.rules[2].accessStrategies[0].config: an Oathkeeper jwt config converts only with exactly one trusted_issuers and one jwks_urls entry (it has 2 and 1)",
		},
	}, {
		name: "no rule converts",
		input: fmt.Sprintf(head, "v2", "kyma-system/kyma-gateway") + `
    rules:
    - path: /orders
      methods: [GET]
      accessStrategies: [{handler: oauth2_introspection}]
`,
		errs:     []string{"spec.rules: No rules defined"},
		warnings: []string{"spec.rules[0].accessStrategies[0].handler: handler oauth2_introspection has no v2 equivalent"},
	}, {
		name: "rules of a v2alpha1-rules annotation replace converted ones",
		input: strings.Replace(fmt.Sprintf(head, "v2", "kyma-system/kyma-gateway"), "annotations: {",
			`annotations: {gateway.kyma-project.io/v2alpha1-rules: '[{"path":"/only","methods":["PUT"],"noAuth":true}]', `, 1) + convertible,
		v2: fmt.Sprintf(v2Head, "kyma-system/kyma-gateway") + `
    rules:
    - {path: /only, methods: [PUT], noAuth: true}
`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			got, errs, warnings := renderItems(t, "", c.input)
			assert.Equal(t, c.errs, errs)
			if c.v2 == "" {
				assert.Empty(t, got)
			} else {
				want, wantErrs, _ := renderItems(t, "", c.v2)
				require.Empty(t, wantErrs)
				require.NotEmpty(t, want)
				assert.Equal(t, want, got)
			}
			for _, w := range c.warnings {
				assert.True(t, containsPrefix(warnings, w), "warning %q not in %q", w, warnings)
			}
			if len(c.errs) == 0 {
				for _, w := range warnings {
					assert.NotContains(t, w, "conversion", "no conversion warning when every rule converts")
				}
			}
		})
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestMigrateCreatedAsV2: migrating a v1beta1 APIRule created as v2 writes what the
// API server's conversion makes of it, which the controller already runs: the
// same objects before and after, so no difference is reported.
func TestMigrateCreatedAsV2(t *testing.T) {
	input := `
- apiVersion: gateway.kyma-project.io/v1beta1
  kind: APIRule
  metadata:
    name: orders
    namespace: shop
    annotations: {gateway.kyma-project.io/original-version: v2}
  spec:
    host: orders
    service: {name: orders, port: 8080}
    gateway: kyma-gateway.kyma-system.svc.cluster.local
    rules:
    - path: /api/{**}
      methods: [GET]
      accessStrategies:
      - handler: jwt
        config: {trusted_issuers: ['https://issuer.example.org'], jwks_urls: ['https://issuer.example.org/keys']}
`
	rl := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + createdAsV2Cluster + input +
		"functionConfig: {apiVersion: v1, kind: ConfigMap, metadata: {name: m}, data: {mode: migrate}}\n"
	stdout, stderr, code := runFn([]byte(rl))
	require.Equal(t, 0, code, string(stderr))
	var out output
	require.NoError(t, yaml.Unmarshal(stdout, &out))
	var migrated map[string]any
	for _, it := range out.Items {
		if it["kind"] == "APIRule" {
			migrated = it
		}
	}
	require.NotNil(t, migrated)
	assert.Equal(t, "gateway.kyma-project.io/v2", migrated["apiVersion"])
	spec := migrated["spec"].(map[string]any)
	assert.Equal(t, "kyma-system/kyma-gateway", spec["gateway"])
	assert.Equal(t, []any{"orders"}, spec["hosts"])
	rule := spec["rules"].([]any)[0].(map[string]any)
	assert.Equal(t, "https://issuer.example.org", rule["jwt"].(map[string]any)["authentications"].([]any)[0].(map[string]any)["issuer"])
	for _, r := range out.Results {
		assert.NotContains(t, r.Message, "access changes", "the controller ran the converted form already")
	}
}
