package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSeedWithoutCluster renders the seed APIRule with nothing but its function
// config: no Service, no Gateway. The function must render and say what it assumed;
// under strict it must fail and name each missing object.
func TestSeedWithoutCluster(t *testing.T) {
	seed := "../../examples/seed-httpbin"
	cfg, err := os.ReadFile(filepath.Join(seed, "transformer.yaml"))
	require.NoError(t, err)
	strictCfg := filepath.Join(t.TempDir(), "strict.yaml")
	require.NoError(t, os.WriteFile(strictCfg, []byte(strings.Replace(string(cfg), "spec:\n", "spec:\n  strict: true\n", 1)), 0o600))

	render := func(cfgPath string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := Main([]string{cfgPath, filepath.Join(seed, "apirule.yaml")}, strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), stderr.String(), code
	}

	out, stderr, code := render(filepath.Join(seed, "transformer.yaml"))
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "kind: VirtualService")
	assert.Contains(t, out, "kind: Rule")
	assert.Contains(t, stderr, "warning: APIRule default/httpbin spec.gateway: AF701 (low): Gateway kyma-system/kyma-gateway is not in the input; assumed it exists")
	assert.Contains(t, stderr, "warning: APIRule default/httpbin spec.service: AF702 (low): Service default/httpbin is not in the input; assumed")

	out, stderr, code = render(strictCfg)
	assert.Equal(t, 1, code)
	assert.NotContains(t, out, "kind: VirtualService")
	assert.Contains(t, stderr, "error: APIRule default/httpbin spec.gateway: AF701 (low): Gateway kyma-system/kyma-gateway is not in the input; assumed it exists")
	assert.Contains(t, stderr, "error: APIRule default/httpbin spec.service: AF702 (low): Service default/httpbin is not in the input; assumed")
	assert.Contains(t, stderr, `(strict: true; if this is intended, waive it with the annotation apirule.krm.dev/waive: "AF702")`)
}
