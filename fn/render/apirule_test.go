package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/schema"
)

// TestEveryVersionIsRendered ranges over every supported APIRule version and checks
// what supporting it takes: a CRD schema, a renderer, and conformance cases. A new
// version added to apirule.Versions fails here until all three exist.
func TestEveryVersionIsRendered(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/conformance/*/resources.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, v := range apirule.Versions {
		t.Run(v, func(t *testing.T) {
			_, err := schema.Validate(v, map[string]any{"apiVersion": apirule.Group + "/" + v, "kind": apirule.Kind})
			assert.NoError(t, err, "a CRD schema in fn/schema/crds")
			assert.Contains(t, renderers, v, "a renderer in render.renderers")
			n := 0
			for _, c := range cases {
				b, err := os.ReadFile(c)
				require.NoError(t, err)
				if strings.Contains(string(b), "apiVersion: "+apirule.Group+"/"+v+"\n") {
					n++
				}
			}
			assert.Positive(t, n, "conformance cases in testdata/conformance with an APIRule of this version")
		})
	}
	assert.Len(t, renderers, len(apirule.Versions), "a renderer for a version apirule.Versions does not list")
}

// TestAPIRuleRefusesUnknownVersions: no version silently falls back to another's renderer.
func TestAPIRuleRefusesUnknownVersions(t *testing.T) {
	ctx := v1beta1Context(t, "", config.Config{})
	_, err := APIRule(ctx, "v3", map[string]any{"apiVersion": apirule.Group + "/v3", "kind": apirule.Kind})
	assert.ErrorContains(t, err, `no renderer for APIRule version "v3"`)
}

// TestAPIRuleDispatch checks that each version reaches its renderer: v1alpha1 is
// converted (spec.service.host becomes the VirtualService host), v2alpha1 and v2 share
// one renderer, and the VirtualService hosts come back with the objects.
func TestAPIRuleDispatch(t *testing.T) {
	ctx := v1beta1Context(t, v1beta1KymaGateway+"---\n"+v1beta1HttpbinService, config.Config{DefaultDomain: "example.com"})
	objs := map[string]map[string]any{
		apirule.V1alpha1: {"service": map[string]any{"name": "httpbin", "port": 8000, "host": "a"},
			"gateway": "kyma-system/kyma-gateway",
			"rules":   []any{map[string]any{"path": "/.*", "methods": []any{"GET"}, "accessStrategies": []any{map[string]any{"handler": "allow"}}}}},
		apirule.V1beta1: {"host": "a", "service": map[string]any{"name": "httpbin", "port": 8000},
			"gateway": "kyma-system/kyma-gateway",
			"rules":   []any{map[string]any{"path": "/.*", "methods": []any{"GET"}, "accessStrategies": []any{map[string]any{"handler": "allow"}}}}},
		apirule.V2alpha1: {"hosts": []any{"a.example.com"}, "service": map[string]any{"name": "httpbin", "port": 8000},
			"gateway": "kyma-system/kyma-gateway",
			"rules":   []any{map[string]any{"path": "/*", "methods": []any{"GET"}, "noAuth": true}}},
	}
	objs[apirule.V2] = objs[apirule.V2alpha1]
	for _, v := range apirule.Versions {
		t.Run(v, func(t *testing.T) {
			obj := map[string]any{"apiVersion": apirule.Group + "/" + v, "kind": apirule.Kind,
				"metadata": map[string]any{"name": "httpbin", "namespace": "demo"}, "spec": objs[v]}
			out, err := APIRule(ctx, v, obj)
			require.NoError(t, err)
			require.False(t, out.Failed(), "%v", out.Findings)
			assert.Equal(t, []string{"a.example.com"}, out.Hosts)
			assert.NotEmpty(t, out.Objects)
		})
	}
}
