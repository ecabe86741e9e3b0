package main

// make e2e-container builds the image from the Dockerfile's final stage on a local
// base (registries are unreachable where CI runs) and runs it under kustomize and
// kpt. These tests keep that image the one users pull, apart from the base layer:
// the generated Containerfile carries the final stage unchanged, and the image it
// built has the Dockerfile's entrypoint, user, binary path and labels.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// distrolessNonrootUser is the user the final stage's base image,
// gcr.io/distroless/static-debian12:nonroot, runs as; the Dockerfile sets none.
const distrolessNonrootUser = "65532"

// finalStage is the Dockerfile's last stage: its text, and its instructions with
// continuation lines joined and comments dropped.
type finalStage struct {
	text         string
	instructions []string
}

func dockerfileFinalStage(t *testing.T) finalStage {
	t.Helper()
	df := read(t, "Dockerfile")
	i := strings.LastIndex(df, "\nFROM ")
	require.GreaterOrEqual(t, i, 0, "the Dockerfile has no final stage")
	st := finalStage{text: df[i+1:]}
	joined := strings.ReplaceAll(st.text, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			st.instructions = append(st.instructions, line)
		}
	}
	return st
}

// args returns the arguments of the stage's instructions named op.
func (s finalStage) args(op string) []string {
	var out []string
	for _, in := range s.instructions {
		if rest, ok := strings.CutPrefix(in, op+" "); ok {
			out = append(out, strings.TrimSpace(rest))
		}
	}
	return out
}

func (s finalStage) entrypoint(t *testing.T) []string {
	t.Helper()
	eps := s.args("ENTRYPOINT")
	require.Len(t, eps, 1, "one ENTRYPOINT in the final stage")
	var ep []string
	require.NoError(t, json.Unmarshal([]byte(eps[0]), &ep), "ENTRYPOINT must be in exec (JSON) form")
	return ep
}

// user is the stage's last USER, or its base's.
func (s finalStage) user(t *testing.T) string {
	t.Helper()
	if users := s.args("USER"); len(users) > 0 {
		return users[len(users)-1]
	}
	from := s.args("FROM")
	require.Len(t, from, 1)
	require.True(t, strings.HasSuffix(from[0], ":nonroot"), "final stage FROM %s: its user is unknown here; set USER or update this test", from[0])
	return distrolessNonrootUser
}

// labels returns the stage's labels, ${VERSION} replaced by version.
func (s finalStage) labels(t *testing.T, version string) map[string]string {
	t.Helper()
	labels := map[string]string{}
	for _, l := range s.args("LABEL") {
		for _, kv := range shellWords(l) {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "LABEL %q", kv)
			labels[k] = versionRef.ReplaceAllString(v, version)
		}
	}
	return labels
}

// binaryPath is where the final stage copies the binary built in the build stage.
func (s finalStage) binaryPath(t *testing.T) string {
	t.Helper()
	for _, c := range s.args("COPY") {
		if w := strings.Fields(c); len(w) == 3 && w[0] == "--from=build" {
			return w[2]
		}
	}
	t.Fatal("the final stage has no COPY --from=build SRC DEST")
	return ""
}

func TestE2EContainerfileKeepsTheFinalStage(t *testing.T) {
	out, err := exec.Command("bash", "hack/e2e-container.sh", "--containerfile").Output()
	require.NoError(t, err)
	cf := string(out)
	st := dockerfileFinalStage(t)

	from := regexp.MustCompile(`^FROM .*\n`)
	assert.True(t, strings.HasSuffix(cf, from.ReplaceAllString(st.text, "FROM base\n")),
		"the Containerfile must end with the Dockerfile's final stage, FROM base in place of its FROM:\n%s", cf)
	_, _, built := dockerBuild(t)
	assert.Contains(t, cf, "FROM scratch AS build\nCOPY apirule-fn "+built+"\n", "the binary where the Dockerfile's build stage puts it")
	assert.Contains(t, cf, "FROM scratch AS base\nADD base.tar /\nUSER "+distrolessNonrootUser+"\n")
}

// Run by make e2e-container with the image it built: APIRULE_FN_E2E_IMAGE names a
// directory holding podman's inspect.json and the image's file system in rootfs/,
// APIRULE_FN_E2E_VERSION the VERSION it was built with.
func TestE2EImageAgreesWithDockerfile(t *testing.T) {
	dir := os.Getenv("APIRULE_FN_E2E_IMAGE")
	if dir == "" {
		t.Skip("make e2e-container runs this with the image it built")
	}
	var inspect []struct {
		Config struct {
			User       string
			Entrypoint []string
			Labels     map[string]string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(read(t, filepath.Join(dir, "inspect.json"))), &inspect))
	require.Len(t, inspect, 1)
	got := inspect[0].Config
	st := dockerfileFinalStage(t)

	assert.Equal(t, st.entrypoint(t), got.Entrypoint, "entrypoint")
	assert.Equal(t, st.user(t), got.User, "user")
	assert.Equal(t, st.labels(t, os.Getenv("APIRULE_FN_E2E_VERSION")), got.Labels, "labels")

	bin := st.binaryPath(t)
	assert.Equal(t, bin, got.Entrypoint[0], "the entrypoint runs the copied binary")
	fi, err := os.Stat(filepath.Join(dir, "rootfs", bin))
	require.NoError(t, err, "the binary at %s", bin)
	assert.True(t, fi.Mode().IsRegular())
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "%s mode", bin)
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok && os.Getuid() == 0 {
		assert.Zero(t, sys.Uid, "%s owner", bin)
	}

	// distroless static's users: kustomize and kpt run functions as nobody.
	passwd := read(t, filepath.Join(dir, "rootfs/etc/passwd"))
	assert.Contains(t, passwd, "\nnobody:x:65534:65534:")
	assert.Contains(t, passwd, "\nnonroot:x:"+distrolessNonrootUser+":"+distrolessNonrootUser+":")
}

// A container runtime that cannot start fails make e2e-container plainly: exit 1 and
// the runtime's own error, never a skip.
func TestE2EContainerFailsPlainlyWhenTheRuntimeCannotStart(t *testing.T) {
	fake := t.TempDir()
	for name, script := range map[string]string{
		"podman": "#!/bin/sh\necho 'Error: runc: cannot start: fake' >&2\nexit 125\n",
		"runc":   "#!/bin/sh\nexit 0\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(fake, name), []byte(script), 0o755))
	}
	cmd := exec.Command("bash", "hack/e2e-container.sh", "/bin/true", "/bin/true", "v0")
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "e2e-container: FAIL: the container runtime cannot start: podman info failed")
	assert.Contains(t, string(out), "Error: runc: cannot start: fake")
}
