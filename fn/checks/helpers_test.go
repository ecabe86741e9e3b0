package checks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
	"github.com/apirule-krm/apirule-fn/fn/processor"
)

// finding is what a table test expects of a check's result: the check, the APIRule
// and the field.
type finding struct{ ID, APIRule, Path string }

func (f finding) String() string { return f.ID + " " + f.APIRule + " " + f.Path }

// process runs the function on items (a YAML stream) with the config spec (YAML
// flow, "" for none) and returns the items and the results.
func process(t *testing.T, spec, items string) ([]*yaml.RNode, framework.Results) {
	t.Helper()
	in, err := krmio.Parse([]byte(items))
	require.NoError(t, err)
	nodes, problems := processor.CheckItems(in.Items)
	require.Empty(t, problems)
	rl := &framework.ResourceList{Items: nodes}
	if spec != "" {
		rl.FunctionConfig, err = yaml.Parse("apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: f}\nspec: " + spec)
		require.NoError(t, err)
	}
	_ = (&processor.Processor{}).Process(rl)
	return rl.Items, rl.Results
}

// findings are the check results, and the texts of any error result.
func findings(t *testing.T, spec, items string) ([]finding, []string) {
	t.Helper()
	_, results := process(t, spec, items)
	var out []finding
	var errs []string
	for _, r := range results {
		if id := r.Tags["check"]; id != "" {
			ref := r.ResourceRef.Namespace + "/" + r.ResourceRef.Name
			path := ""
			if r.Field != nil {
				path = r.Field.Path
			}
			out = append(out, finding{id, ref, path})
			assert.Contains(t, r.Message, id, "the message names the check")
		}
		if r.Severity == framework.Error {
			errs = append(errs, r.String())
		}
	}
	return out, errs
}

// checkCase is one row of a class's table test.
type checkCase struct {
	name string
	// spec is the function config's spec ("" for the defaults).
	spec  string
	items string
	// want are the findings of the checks under test (those with an ID in ids).
	want []finding
}

// runTable runs the cases and compares the findings of the checks with the given IDs.
func runTable(t *testing.T, ids []string, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := findings(t, tc.spec, tc.items)
			require.Empty(t, errs, "the inputs render")
			var mine []finding
			for _, f := range got {
				for _, id := range ids {
					if f.ID == id {
						mine = append(mine, f)
					}
				}
			}
			assert.Equal(t, fmt.Sprint(tc.want), fmt.Sprint(mine))
		})
	}
}

// Fixtures: a Gateway with a domain, Services with selectors.
const (
	gateway = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ["*.example.com"]
    port: {number: 443, name: https, protocol: HTTPS}
`
	services = `---
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {selector: {app: orders}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: orders-v2, namespace: shop}
spec: {selector: {app: orders}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: billing, namespace: finance}
spec: {selector: {app: billing}, ports: [{port: 8080}]}
`
)

// v2 is a v2 APIRule in namespace shop for Service orders:8080 with the given spec
// lines (indented by two spaces, without hosts/service/gateway unless given).
func v2(name, host, rest string) string {
	return `---
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: ` + name + `, namespace: shop}
spec:
  hosts: [` + host + `]
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 8080}
` + rest + "\n"
}

// v1beta1 is a v1beta1 APIRule in namespace shop for Service orders:8080.
func v1beta1(name, host, rest string) string {
	return `---
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: ` + name + `, namespace: shop}
spec:
  host: ` + host + `
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 8080}
` + rest + "\n"
}

// jwtRule is a v2 rule requiring a token of idp.example.com for audience "orders".
func jwtRule(path, methods string) string {
	return `  - path: ` + path + `
    methods: [` + methods + `]
    jwt:
      authentications: [{issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys"}]
      authorizations: [{audiences: [orders]}]`
}

// replaceOnce replaces the first old in s.
func replaceOnce(s, old, new string) string { return strings.Replace(s, old, new, 1) }
