package main

// No Docker engine runs in CI and registries are unreachable, so the build stage
// is checked statically (make e2e-container builds and runs the final stage): the
// Dockerfile must compile with exactly the Makefile's GO_BUILD_FLAGS, from the Go
// version of go.mod, into a distroless image; and a binary built with those flags
// must be static, stripped and carry the injected version.

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shellWords splits s like a shell would for the simple cases used here:
// whitespace-separated words, double quotes grouping.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

var versionRef = regexp.MustCompile(`\$\(VERSION\)|\$\{VERSION\}|\$VERSION\b`)

// normalize replaces the make and shell spellings of the version variable alike.
func normalize(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = versionRef.ReplaceAllString(w, "<VERSION>")
	}
	return out
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// makefileBuildFlags returns the words of GO_BUILD_FLAGS.
func makefileBuildFlags(t *testing.T) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^GO_BUILD_FLAGS\s*:?=\s*(.+)$`).FindStringSubmatch(read(t, "Makefile"))
	require.NotNil(t, m, "Makefile defines no GO_BUILD_FLAGS")
	return shellWords(m[1])
}

// dockerBuild returns the environment assignments, the flags and the output path of
// the Dockerfile's go build.
func dockerBuild(t *testing.T) (env, flags []string, out string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^RUN (.*)\bgo build (.*)$`).FindStringSubmatch(read(t, "Dockerfile"))
	require.NotNil(t, m, "Dockerfile has no RUN ... go build")
	env = shellWords(m[1])
	words := shellWords(m[2])
	require.GreaterOrEqual(t, len(words), 3)
	require.Equal(t, ".", words[len(words)-1], "the Dockerfile must build the main package")
	require.Equal(t, "-o", words[len(words)-3], "the Dockerfile must name the output with -o before the package")
	return env, words[:len(words)-3], words[len(words)-2]
}

func TestDockerfileBuildsWithTheMakefileFlags(t *testing.T) {
	makeFlags := makefileBuildFlags(t)
	env, flags, _ := dockerBuild(t)
	assert.Equal(t, normalize(makeFlags), normalize(flags), "Dockerfile go build flags vs Makefile GO_BUILD_FLAGS")
	assert.Equal(t, []string{"CGO_ENABLED=0", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH"}, env)
	assert.Contains(t, strings.Join(makeFlags, " "), "-X github.com/apirule-krm/apirule-fn/fn/cmd.Version=$(VERSION)")
	assert.Contains(t, read(t, "Makefile"), "CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(BIN) .")
}

func TestDockerfileStages(t *testing.T) {
	df := read(t, "Dockerfile")
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(read(t, "go.mod"))
	require.NotNil(t, goVersion)

	froms := regexp.MustCompile(`(?m)^FROM (.*)$`).FindAllStringSubmatch(df, -1)
	require.Len(t, froms, 2, "a build stage and a final stage")
	assert.Regexp(t, `^--platform=\$BUILDPLATFORM golang:`+regexp.QuoteMeta(goVersion[1])+`-(bookworm|trixie) AS build$`, froms[0][1],
		"the builder must run natively and use the Go version of go.mod")
	assert.Equal(t, "gcr.io/distroless/static-debian12:nonroot", froms[1][1])
	assert.Regexp(t, `(?m)^ARG TARGETOS TARGETARCH$`, df)
	_, _, out := dockerBuild(t)
	assert.Contains(t, df, "COPY --from=build "+out+" /apirule-fn\n")
	assert.Regexp(t, `(?m)^ENTRYPOINT \["/apirule-fn"\]$`, df)
	for _, label := range []string{"title", "description", "source", "licenses", "version"} {
		assert.Contains(t, df, "org.opencontainers.image."+label+"=", "OCI label %s", label)
	}
	// The final stage must not go back to root: kustomize and kpt run it as nobody.
	assert.NotRegexp(t, `(?m)^USER\s+(root|0)\b`, df)
}

// The binary built with the Makefile's flags and CGO_ENABLED=0 is static (it runs on
// distroless static), stripped, and reports the version passed with -X.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds the release binary (-short)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary")
	}
	const version = "v0.0.0-buildtest"
	var args []string
	for _, w := range makefileBuildFlags(t) {
		args = append(args, versionRef.ReplaceAllString(w, version))
	}
	bin := filepath.Join(t.TempDir(), "apirule-fn")
	cmd := exec.Command("go", append(append([]string{"build"}, args...), "-o", bin, ".")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary asks for a dynamic loader")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "DT_NEEDED libraries")
	assert.Nil(t, f.Section(".symtab"), "the binary is not stripped (-s)")

	got, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "apirule-fn "+version+"\n", string(got))
}
