package cmd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// checksInput is a ResourceList whose one APIRule triggers AF504 (no audiences) and
// AF505 (token in a query parameter); annotations and spec are added per case.
func checksInput(annotations, spec string, extraItems ...string) []byte {
	var extra string
	for _, it := range extraItems {
		extra += "- " + strings.ReplaceAll(strings.TrimSpace(it), "\n", "\n  ") + "\n"
	}
	return []byte(`apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: gateway.kyma-project.io/v2
  kind: APIRule
  metadata:
    name: orders
    namespace: shop
    annotations: {` + annotations + `}
  spec:
    hosts: [orders.example.com]
    gateway: kyma-system/kyma-gateway
    service: {name: orders, port: 8080}
    rules:
    - path: /a
      methods: [GET]
      jwt:
        authentications: [{issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys", fromParams: [t]}]
- apiVersion: v1
  kind: Service
  metadata: {name: orders, namespace: shop}
  spec: {selector: {app: orders}, ports: [{port: 8080}]}
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata: {name: kyma-gateway, namespace: kyma-system}
  spec: {servers: [{hosts: ["*.example.com"], port: {number: 443, name: https, protocol: HTTPS}}]}
` + extra + `functionConfig:
  apiVersion: apirule.krm.dev/v1alpha1
  kind: APIRuleTransformer
  metadata: {name: f}
  spec: {` + spec + `}
`)
}

// TestChecksOutcome: a check finding is a warning (exit 0) printed on stderr in KRM
// mode, an error under strict (exit 1), info when waived (exit 0, also under strict).
func TestChecksOutcome(t *testing.T) {
	const af504 = "APIRule shop/orders spec.rules[0].jwt.authorizations: AF504 (medium): no audiences are required"
	const af505 = "APIRule shop/orders spec.rules[0].jwt.authentications[0].fromParams: AF505 (low): tokens read from query parameters"
	kptfile := "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {name: pkg}"
	tests := []struct {
		name, annotations, spec string
		extra                   []string
		code                    int
		// stderr lines, each a prefix of one line, in order.
		stderr []string
		// results: the severity of the AF504 and AF505 results.
		severities [2]string
	}{
		{name: "warnings on stderr", code: 0,
			stderr:     []string{"apirule-fn: warning: " + af504, "apirule-fn: warning: " + af505},
			severities: [2]string{"warning", "warning"}},
		{name: "stderr: errors", spec: "stderr: errors", code: 0, severities: [2]string{"warning", "warning"}},
		{name: "under kpt the results carry them", extra: []string{kptfile}, code: 0, severities: [2]string{"warning", "warning"}},
		{name: "strict", spec: "strict: true", code: 1,
			stderr:     []string{"apirule-fn: error: " + af504, "apirule-fn: error: " + af505},
			severities: [2]string{"error", "error"}},
		{name: "strict, one waived", spec: "strict: true", annotations: `apirule.krm.dev/waive: "AF504"`, code: 1,
			stderr:     []string{"apirule-fn: error: " + af505},
			severities: [2]string{"info", "error"}},
		{name: "strict, both waived", spec: "strict: true", annotations: `apirule.krm.dev/waive: "AF504, AF505"`, code: 0,
			severities: [2]string{"info", "info"}},
		{name: "unknown waiver", annotations: `apirule.krm.dev/waive: "AF504,AF999"`, code: 0,
			stderr: []string{"apirule-fn: warning: APIRule shop/orders metadata.annotations.apirule.krm.dev/waive: apirule.krm.dev/waive names no check: AF999",
				"apirule-fn: warning: " + af505},
			severities: [2]string{"info", "warning"}},
		{name: "unknown waiver under strict", spec: "strict: true", annotations: `apirule.krm.dev/waive: "AF504,AF505,AF999"`, code: 1,
			stderr:     []string{"apirule-fn: error: APIRule shop/orders metadata.annotations.apirule.krm.dev/waive: apirule.krm.dev/waive names no check: AF999"},
			severities: [2]string{"info", "info"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runFn(checksInput(tt.annotations, tt.spec, tt.extra...))
			assert.Equal(t, tt.code, code, "stderr: %s", stderr)
			var lines []string
			if s := strings.TrimSpace(string(stderr)); s != "" {
				lines = strings.Split(s, "\n")
			}
			require.Len(t, lines, len(tt.stderr), "stderr: %s", stderr)
			for i, want := range tt.stderr {
				assert.True(t, strings.HasPrefix(lines[i], want), "line %d:\n%s\nwant prefix:\n%s", i, lines[i], want)
			}
			var out output
			require.NoError(t, yaml.Unmarshal(stdout, &out))
			got := map[string]string{}
			for _, r := range out.Results {
				for _, id := range []string{"AF504", "AF505"} {
					if strings.HasPrefix(r.Message, id+" (") {
						got[id] = r.Severity
					}
				}
			}
			assert.Equal(t, map[string]string{"AF504": tt.severities[0], "AF505": tt.severities[1]}, got)
		})
	}
}
