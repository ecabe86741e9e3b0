package examples

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apirule-krm/apirule-fn/fn/cmd"
)

// TestMakeDemo runs the command line of `make demo` (read from the Makefile, so the
// two cannot drift) and checks that it shows what the README promises: the seed's
// VirtualService with its secured route to the Oathkeeper proxy on 4455, and its
// Oathkeeper Rule with the jwt authenticator and the seed's jwks_urls.
func TestMakeDemo(t *testing.T) {
	makefile, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	_, recipe, found := strings.Cut(string(makefile), "\ndemo: build\n\t$(BIN) ")
	require.True(t, found, "Makefile has a demo target running $(BIN)")
	recipe, _, _ = strings.Cut(recipe, "\n")
	var args []string
	for _, a := range strings.Fields(recipe) {
		args = append(args, filepath.Join("..", a))
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, cmd.Main(args, strings.NewReader(""), &stdout, &stderr), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "kind: VirtualService")
	assert.Contains(t, out, "host: ory-oathkeeper-proxy.kyma-system.svc.cluster.local\n        port:\n          number: 4455")
	assert.Contains(t, out, "kind: Rule")
	assert.Contains(t, out, "authenticators:\n  - handler: jwt\n    config:\n      jwks_urls:\n      - https://idp.example.com/oauth2/certs\n")
}
