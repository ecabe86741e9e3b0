// Package clustertest builds render-time cluster views from YAML text for the tests
// of the packages that consult one (validation, render, cluster).
package clustertest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/config"
)

// View reads items (YAML documents separated by ---, may be empty) and returns the
// defaulted config and the cluster view over them.
func View(t testing.TB, items string, cfg config.Config) (*config.Config, *cluster.View) {
	t.Helper()
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(items), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	cfg.Default()
	return &cfg, cluster.New(nodes, &cfg)
}
