package main

// `go install github.com/apirule-krm/apirule-fn@vX` must report vX: the module is
// served at a made-up version from a file-system module proxy built from this
// checkout, installed the way users install it, and asked for its version.

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const modulePath = "github.com/apirule-krm/apirule-fn"

func TestGoInstallReportsTheModuleVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary through go install")
	}
	const version = "v0.98.7"
	proxy := t.TempDir()
	dir := filepath.Join(proxy, modulePath, "@v")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	write("list", []byte(version+"\n"))
	write(version+".info", []byte(`{"Version":"`+version+`","Time":"2026-01-01T00:00:00Z"}`))
	write(version+".mod", []byte(read(t, "go.mod")))
	write(version+".zip", moduleZip(t, modulePath+"@"+version+"/"))

	// A module cache of its own keeps the made-up version out of the shared one; the
	// dependencies come from the shared cache's download directory, itself a proxy.
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	require.NoError(t, err)
	downloads := filepath.Join(strings.TrimSpace(string(modcache)), "cache", "download")
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", modulePath+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-modcacherw", "GOWORK=off", "CGO_ENABLED=0",
		"GOMODCACHE="+t.TempDir(), "GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(downloads),
		"GONOSUMDB="+modulePath, "GOSUMDB=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	got, err := exec.Command(filepath.Join(gobin, "apirule-fn"), "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "apirule-fn "+version+"\n", string(got))
}

// moduleZip zips the module's files as the module proxy protocol wants them: every
// path under prefix, nested modules (test/apiserver) left out.
func moduleZip(t *testing.T, prefix string) []byte {
	t.Helper()
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	require.NoError(t, err, "git ls-files")
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	nested := map[string]bool{}
	for _, f := range files {
		if d := filepath.Dir(f); filepath.Base(f) == "go.mod" && d != "." {
			nested[d] = true
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
files:
	for _, f := range files {
		for d := filepath.Dir(f); d != "."; d = filepath.Dir(d) {
			if nested[d] {
				continue files
			}
		}
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		require.NoError(t, err)
		w, err := zw.Create(prefix + filepath.ToSlash(f))
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
