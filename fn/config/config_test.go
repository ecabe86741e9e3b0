package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		check   func(t *testing.T, c *Config)
		wantErr []string // "path: message substring"
	}{
		{name: "missing config means defaults", in: ``, check: func(t *testing.T, c *Config) {
			assert.Equal(t, DefaultOathkeeperProxy, c.OathkeeperProxy)
			assert.Equal(t, IstioV1, c.IstioAPIVersion)
			assert.Equal(t, APIRulesLocal, c.APIRules)
			assert.Equal(t, ModeRender, c.Mode)
			assert.Equal(t, "app", c.SelectorLabel)
			assert.Equal(t, DefaultCors(), c.DefaultCorsPolicy)
			assert.Zero(t, c.MaxItems, "unset: only the reader's limit applies")
		}},
		{name: "typed config with empty spec", in: "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: x}\nspec: {}\n",
			check: func(t *testing.T, c *Config) { assert.Equal(t, "", c.JWTHandler) }},
		{name: "typed config settings", in: `apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata: {name: x}
spec:
  jwtHandler: istio
  defaultDomain: example.com
  serviceSelectors: {"demo/httpbin": {app: httpbin, version: v1}}
  gateways: {"kyma-system/kyma-gateway": local.kyma.dev}
  extAuthProviders: [oauth2-proxy]
  strict: true
  maxDepth: 10
`, check: func(t *testing.T, c *Config) {
			assert.Equal(t, HandlerIstio, c.JWTHandler)
			assert.Equal(t, "example.com", c.DefaultDomain)
			assert.Equal(t, map[string]string{"app": "httpbin", "version": "v1"}, c.ServiceSelectors["demo/httpbin"])
			assert.Equal(t, "local.kyma.dev", c.Gateways["kyma-system/kyma-gateway"])
			assert.Equal(t, []string{"oauth2-proxy"}, c.ExtAuthProviders)
			assert.True(t, c.Strict)
			assert.Equal(t, 10, c.MaxDepth)
		}},
		{name: "ConfigMap data parses non-string values", in: `apiVersion: v1
kind: ConfigMap
metadata: {name: function-input}
data:
  jwtHandler: ory
  strict: "true"
  maxItems: "5"
  serviceSelectors: '{"demo/a": {app: a}}'
`, check: func(t *testing.T, c *Config) {
			assert.Equal(t, HandlerOry, c.JWTHandler)
			assert.True(t, c.Strict)
			assert.Equal(t, 5, c.MaxItems)
			assert.Equal(t, map[string]string{"app": "a"}, c.ServiceSelectors["demo/a"])
		}},
		{name: "empty function-input ConfigMap means defaults", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: function-input}\n",
			check: func(t *testing.T, c *Config) { assert.Equal(t, ModeRender, c.Mode) }},
		{name: "unknown kind", in: "apiVersion: example.com/v1\nkind: Other\nmetadata: {name: x}\n",
			wantErr: []string{": unknown functionConfig kind example.com/v1 Other"}},
		{name: "unknown key is named", in: "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: x}\nspec: {jwtHandlr: istio}\n",
			wantErr: []string{`spec.jwtHandlr: unknown key "jwtHandlr"`}},
		{name: "unknown ConfigMap key", in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {strikt: 'true'}\n",
			wantErr: []string{`data.strikt: unknown key`}},
		{name: "bad values", in: `apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata: {name: x}
spec:
  jwtHandler: oathkeeper
  istioAPIVersion: v2
  apiRules: drop
  mode: dry
  oathkeeperProxy: "no-port"
  gateways: {"no-namespace": x}
  defaultCorsPolicy: {allowOrigins: ["*"]}
`, wantErr: []string{
			`spec.jwtHandler: Unsupported value: "oathkeeper"`,
			`spec.istioAPIVersion: Unsupported value: "v2"`,
			`spec.apiRules: Unsupported value: "drop"`,
			`spec.mode: Unsupported value: "dry"`,
			`spec.oathkeeperProxy: must be host:port`,
			`spec.defaultCorsPolicy.allowOrigins[0]: Invalid value: "*": spec.defaultCorsPolicy.allowOrigins[0] in body should match '^(regex|prefix|exact):'`,
			`spec.gateways.no-namespace: key must be <namespace>/<name>`,
		}},
		{name: "values istiod would refuse in the objects", in: `apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata: {name: x}
spec:
  oathkeeperProxy: "oathkeeper_proxy.kyma-system.svc.cluster.local:4455"
  selectorLabel: "app*"
  serviceSelectors: {"demo/a": {app: "*"}}
  defaultCorsPolicy: {allowOrigins: ["exact:", "regex:("], allowMethods: [get], allowHeaders: ["a, b"]}
`, wantErr: []string{
			`spec.oathkeeperProxy: host "oathkeeper_proxy.kyma-system.svc.cluster.local" has the label "oathkeeper_proxy"`,
			`spec.selectorLabel: "app*" would be the key of assumed Service selectors`,
			`spec.serviceSelectors.demo/a: the workload selector has the label "app=*"`,
			`spec.defaultCorsPolicy.allowOrigins[0]: the exact origin is empty`,
			`spec.defaultCorsPolicy.allowOrigins[1]: the origin regex "(", which is not valid RE2`,
			`spec.defaultCorsPolicy.allowMethods[0]: "get" is not a method istiod accepts`,
			`spec.defaultCorsPolicy.allowHeaders[0]: "a, b" is not an HTTP header name`,
		}},
		{name: "wrong type", in: "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: x}\nspec: {strict: [true]}\n",
			wantErr: []string{`spec.strict: invalid value`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var node *yaml.RNode
			if tt.in != "" {
				node = yaml.MustParse(tt.in)
			}
			c, errs := Load(node)
			if tt.wantErr == nil {
				require.Empty(t, errs)
				tt.check(t, c)
				return
			}
			require.Nil(t, c)
			var got []string
			for _, e := range errs {
				got = append(got, e.Path+": "+e.Message)
			}
			require.Len(t, got, len(tt.wantErr), "%v", got)
			for _, want := range tt.wantErr {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, want)
				}
				assert.True(t, found, "want %q in %v", want, got)
			}
		})
	}
}
