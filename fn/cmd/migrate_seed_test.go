package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// seedIssuer is the issuer the migration is told for the seed's JWKS URL.
const (
	seedJWKS   = "https://idp.example.com/oauth2/certs"
	seedIssuer = "https://idp.example.com"
)

// seedFiles lists an example's resources (kustomization order) and its config
// with issuers set or not.
func seedFiles(t *testing.T, dir string, issuers bool) []string {
	t.Helper()
	kus, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	require.NoError(t, err)
	var k struct {
		Resources []string `yaml:"resources"`
	}
	require.NoError(t, yaml.Unmarshal(kus, &k))
	cfg, err := os.ReadFile(filepath.Join(dir, "transformer.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(cfg), "spec: {}", "spec:\n", 1)
	if issuers {
		text = strings.Replace(text, "spec:\n", "spec:\n  issuers: {\""+seedJWKS+"\": \""+seedIssuer+"\"}\n", 1)
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(text), 0o600))
	files := []string{cfgPath}
	for _, r := range k.Resources {
		files = append(files, filepath.Join(dir, r))
	}
	return files
}

func objectsOf(t *testing.T, stream []byte) []*yaml.RNode {
	t.Helper()
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(stream), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	return items
}

// TestMigrateSeed: the seed's two APIRules (v1alpha1, Oathkeeper jwt with a JWKS
// URL only) migrate, given issuers, into v2 jwt rules with that JWKS URL and
// issuer, which render into a RequestAuthentication and an AuthorizationPolicy.
// Without issuers each is left unchanged with a warning naming issuers.
func TestMigrateSeed(t *testing.T) {
	for _, seed := range []string{"../../examples/seed-httpbin", "../../examples/seed-function"} {
		t.Run(filepath.Base(seed), func(t *testing.T) {
			files := seedFiles(t, seed, true)
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, Main(append([]string{"migrate"}, files...), strings.NewReader(""), &stdout, &stderr), stderr.String())
			var migrated *yaml.RNode
			for _, it := range objectsOf(t, stdout.Bytes()) {
				if it.GetKind() == "APIRule" {
					migrated = it
				}
			}
			require.NotNil(t, migrated)
			assert.Equal(t, "gateway.kyma-project.io/v2", migrated.GetApiVersion())
			authn, err := migrated.Pipe(yaml.Lookup("spec", "rules", "0", "jwt", "authentications", "0"))
			require.NoError(t, err)
			require.NotNil(t, authn, stdout.String())
			assert.Equal(t, seedIssuer, yaml.GetValue(authn.Field("issuer").Value))
			assert.Equal(t, seedJWKS, yaml.GetValue(authn.Field("jwksUri").Value))
			assert.Contains(t, stdout.String(), "# Kyma tutorial", "the comment survives")

			// The v2 APIRule renders into Istio objects only.
			in := filepath.Join(t.TempDir(), "migrated.yaml")
			require.NoError(t, os.WriteFile(in, stdout.Bytes(), 0o600))
			stdout.Reset()
			stderr.Reset()
			require.Equal(t, 0, Main([]string{files[0], in}, strings.NewReader(""), &stdout, &stderr), stderr.String())
			kinds := map[string]int{}
			for _, it := range objectsOf(t, stdout.Bytes()) {
				kinds[it.GetKind()]++
			}
			assert.Equal(t, 1, kinds["RequestAuthentication"], stdout.String())
			assert.Equal(t, 1, kinds["AuthorizationPolicy"])
			assert.Equal(t, 1, kinds["VirtualService"])
			assert.Zero(t, kinds["Rule"], "no Oathkeeper Rule in v2")

			// Without issuers: unchanged, and the warning says which key to set.
			stdout.Reset()
			stderr.Reset()
			require.Equal(t, 0, Main(append([]string{"migrate"}, seedFiles(t, seed, false)...), strings.NewReader(""), &stdout, &stderr), stderr.String())
			assert.Contains(t, stdout.String(), "apiVersion: gateway.kyma-project.io/v1alpha1")
			assert.Contains(t, stderr.String(), "warning: APIRule ")
			assert.Contains(t, stderr.String(), `not migrated to v2: v2 needs the issuer of the tokens `+seedJWKS+` verifies, and the config has no trusted_issuers: set issuers: {"`+seedJWKS+`": "<issuer>"} in the function config`)

			// strict: a blocking field is an error (here the Gateway or Service the
			// seed leaves to assumption comes first).
			stdout.Reset()
			stderr.Reset()
			files = seedFiles(t, seed, false)
			cfg, err := os.ReadFile(files[0])
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(files[0], []byte(strings.Replace(string(cfg), "spec:\n", "spec:\n  strict: true\n", 1)), 0o600))
			assert.Equal(t, 1, Main(append([]string{"migrate"}, files...), strings.NewReader(""), &stdout, &stderr))
			assert.Contains(t, stderr.String(), "error: APIRule ")
			assert.Contains(t, stderr.String(), ": not migrated to v2: ")
			assert.Empty(t, stdout.String(), "nothing printed on an error")
		})
	}
}
