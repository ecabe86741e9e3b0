package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/processor"
)

// TestMigrateInPlace runs mode: migrate the way kpt fn eval and kustomize fn run
// do, over a package on disk whose items carry path annotations: the migrated
// APIRule is written back into its own file with its comments, the other items
// and files stay byte for byte, and a second run changes nothing.
func TestMigrateInPlace(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"apirules.yaml": `# Orders API, before the move to v2.
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata:
  name: orders # the public one
  namespace: shop
spec:
  host: orders.example.org
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service:
    name: orders
    port: 8080
  rules:
  # anyone may read
  - path: /.*
    methods: [GET]
    accessStrategies:
    - handler: no_auth
---
# Introspected tokens: stays v1beta1 until an extAuth provider exists.
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata:
  name: admin
  namespace: shop
spec:
  host: admin.example.org
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 8080}
  rules:
  - path: /admin
    methods: [POST]
    accessStrategies:
    - handler: oauth2_introspection
`,
		"service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: orders
  namespace: shop
spec:
  selector: {app: orders}
  ports: [{port: 8080}]
`,
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}
	cfg := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: migrate}\ndata: {mode: migrate}\n")
	run := func() {
		t.Helper()
		rw := &kio.LocalPackageReadWriter{PackagePath: dir}
		items, err := rw.Read()
		require.NoError(t, err)
		rl := &framework.ResourceList{Items: items, FunctionConfig: cfg}
		require.NoError(t, (&processor.Processor{}).Process(rl))
		for _, r := range rl.Results {
			assert.NotEqual(t, framework.Error, r.Severity, r.Message)
		}
		require.NoError(t, rw.Write(rl.Items))
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}

	run()
	first := read("apirules.yaml")
	assert.Equal(t, files["service.yaml"], read("service.yaml"), "other files untouched")
	assert.Equal(t, `# Orders API, before the move to v2.
apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata:
  name: orders # the public one
  namespace: shop
spec:
  hosts:
  - orders.example.org
  gateway: kyma-system/kyma-gateway
  service:
    name: orders
    port: 8080
  rules:
  # anyone may read
  - path: /*
    methods: [GET]
    noAuth: true
  corsPolicy:
    allowOrigins:
    - regex: .*
    allowMethods:
    - GET
    - POST
    - PUT
    - DELETE
    - PATCH
    allowHeaders:
    - Authorization
    - Content-Type
    - '*'
---
# Introspected tokens: stays v1beta1 until an extAuth provider exists.
apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata:
  name: admin
  namespace: shop
spec:
  host: admin.example.org
  gateway: kyma-system/kyma-gateway
  service: {name: orders, port: 8080}
  rules:
  - path: /admin
    methods: [POST]
    accessStrategies:
    - handler: oauth2_introspection
`, first)

	run()
	assert.Equal(t, first, read("apirules.yaml"), "a second migrate changes nothing")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no file added or removed")
}
