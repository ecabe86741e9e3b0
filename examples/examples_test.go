// Package examples holds the copyable usage scenarios in this folder and their
// tests: every kustomization is built with the kustomize engine in-process (krusty,
// exec functions enabled, as `kustomize build --enable-alpha-plugins --enable-exec`)
// with apirule-fn on PATH, and the output is compared byte for byte with the
// folder's expected-output.yaml. The kpt package is run the way `kustomize fn run`
// runs it. `make e2e` checks the same golden files with the kustomize CLI.
//
// Golden files are never rewritten by a plain test run. After a deliberate change,
// regenerate them with
//
//	UPDATE_GOLDEN=1 go test ./examples/
//
// and review the diff.
package examples

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/fn/runtime/runtimeutil"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/runfn"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/cmd"
)

const (
	golden         = "expected-output.yaml"
	kustomization  = "kustomization.yaml"
	ownerAnnotated = "apirule.krm.dev/generated-from"
)

// noGolden lists the kustomizations that cannot be built here, and why.
var noGolden = map[string]string{
	"container": "runs the function image: needs a container engine (make e2e-container runs it with podman; TestContainerExample uses a docker stand-in)",
}

var update = os.Getenv("UPDATE_GOLDEN") == "1"

// binDir holds the apirule-fn command for this test run; it is put first on PATH.
var binDir string

// TestMain makes this test binary the function: invoked as apirule-fn (through the
// link on PATH), it runs the command's Main, exactly as main.go does. Building it
// into the test binary, rather than with go build, lets the test cache see every
// change to the function's code.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "apirule-fn" {
		os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "apirule-fn-examples")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	self, err := os.Executable()
	if err == nil {
		err = os.Symlink(self, filepath.Join(dir, "apirule-fn"))
	}
	if err == nil {
		err = os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// kustomize builds dir like the kustomize CLI: legacy resource order, load
// restrictor on, alpha plugins and (when exec is true) exec functions enabled.
func kustomize(dir string, exec bool) ([]byte, error) {
	pc := types.EnabledPluginConfig(types.BploUseStaticallyLinked)
	pc.FnpLoadingOptions.EnableExec = exec
	pc.HelmConfig.Enabled = false
	k := krusty.MakeKustomizer(&krusty.Options{
		PluginConfig:     pc,
		LoadRestrictions: types.LoadRestrictionsRootOnly,
		Reorder:          krusty.ReorderOptionUnspecified,
	})
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return m.AsYaml()
}

// kustomizations lists the folders holding a kustomization.yaml, relative to here.
func kustomizations(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == kustomization {
			dirs = append(dirs, filepath.Dir(path))
		}
		return err
	})
	require.NoError(t, err)
	return dirs
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; create it with UPDATE_GOLDEN=1")
	assert.Equal(t, string(want), string(got), "%s differs from the output (regenerate with UPDATE_GOLDEN=1 after a deliberate change)", path)
}

func TestKustomizeBuild(t *testing.T) {
	dirs := kustomizations(t)
	require.NotEmpty(t, dirs)
	built := 0
	for _, dir := range dirs {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			_, err := os.Stat(filepath.Join(dir, golden))
			if why, skip := noGolden[dir]; skip {
				assert.True(t, os.IsNotExist(err), "%s has an %s but is listed in noGolden", dir, golden)
				t.Skip(why)
			}
			if !update {
				require.NoError(t, err, "every kustomization needs an %s (or an entry in noGolden)", golden)
			}
			out, err := kustomize(dir, true)
			require.NoError(t, err)
			compareGolden(t, filepath.Join(dir, golden), out)
			built++
		})
	}
	assert.GreaterOrEqual(t, built, 6, "examples built")
}

// Every example renders something, and no APIRule reaches the output: they are
// local-config once the function has run.
func TestGoldenFilesShowTheFunctionRan(t *testing.T) {
	for _, dir := range kustomizations(t) {
		if _, skip := noGolden[dir]; skip {
			continue
		}
		out, err := os.ReadFile(filepath.Join(dir, golden))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^kind: VirtualService$`, string(out), dir)
		assert.NotRegexp(t, `(?m)^kind: APIRule$`, string(out), dir)
	}
}

// Without exec enabled, kustomize skips exec functions silently
// (kubernetes-sigs/kustomize#4399): the build succeeds, the APIRule is emitted
// as it is and nothing is generated. The docs describe exactly this tell-tale; if
// kustomize starts failing instead, they need updating.
func TestWithoutEnableExecTheFunctionIsSilentlySkipped(t *testing.T) {
	out, err := kustomize("seed-httpbin", false)
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^kind: APIRule$`, string(out))
	assert.NotContains(t, string(out), "kind: VirtualService")
	assert.NotContains(t, string(out), ownerAnnotated)
}

// An overlay that only sets namespace: over a base that ran the function moves the
// generated objects (AuthorizationPolicies and RequestAuthentications too) into
// the overlay's namespace but leaves namespaces inside their specs alone. This is
// why overlay-namespace/overlay runs the function again; its README shows it.
func TestNamespaceOverlayWithoutFunctionKeepsBaseNamespaceInSpecs(t *testing.T) {
	out := buildWithoutOverlayFunction(t, "overlay-namespace")

	nodes, err := kio.FromBytes(out)
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, n := range nodes {
		assert.Equal(t, "staging", n.GetNamespace(), "%s %s", n.GetKind(), n.GetName())
		kinds[n.GetKind()] = true
	}
	assert.True(t, kinds["AuthorizationPolicy"] && kinds["RequestAuthentication"] && kinds["VirtualService"], "kinds: %v", kinds)
	assert.Contains(t, string(out), "host: httpbin.default.svc.cluster.local")
	assert.Contains(t, string(out), ownerAnnotated+": default/httpbin")

	fixed, err := os.ReadFile("overlay-namespace/overlay/" + golden)
	require.NoError(t, err)
	assert.Contains(t, string(fixed), "host: httpbin.staging.svc.cluster.local")
	assert.NotContains(t, string(fixed), "default")
}

// An overlay that patches an APIRule but does not list the function again deploys the
// objects the base generated from the unpatched APIRule, without any error: here the
// production overlay's issuer is patched in, yet the RequestAuthentication and the
// AuthorizationPolicy still trust the staging issuer. overlay-patch/overlay lists the
// function, and its golden file has the production issuer only.
func TestPatchOverlayWithoutFunctionKeepsBaseObjects(t *testing.T) {
	const staging, production = "https://idp.staging.example.com", "https://idp.example.com"
	out := buildWithoutOverlayFunction(t, "overlay-patch")
	assert.Contains(t, string(out), "issuer: "+staging)
	assert.Contains(t, string(out), "- "+staging+"/*")
	assert.NotContains(t, string(out), production)

	fixed, err := os.ReadFile("overlay-patch/overlay/" + golden)
	require.NoError(t, err)
	assert.Contains(t, string(fixed), "issuer: "+production+"\n")
	assert.Contains(t, string(fixed), "- "+production+"/*")
	assert.NotContains(t, string(fixed), staging)
}

// buildWithoutOverlayFunction builds a copy of the example's overlay (over a copy of its base)
// with the overlay's transformers: removed, as a user who lists the function only in the base
// would have it.
func buildWithoutOverlayFunction(t *testing.T, example string) []byte {
	t.Helper()
	tmp := t.TempDir()
	require.NoError(t, os.CopyFS(tmp, os.DirFS(example)))
	path := filepath.Join(tmp, "overlay", kustomization)
	k, err := yaml.ReadFile(path)
	require.NoError(t, err)
	require.NotNil(t, k.Field("transformers"), "%s/overlay lists no transformers", example)
	require.NoError(t, k.PipeE(yaml.Clear("transformers")))
	require.NoError(t, yaml.WriteFile(k, path))
	out, err := kustomize(filepath.Dir(path), true)
	require.NoError(t, err)
	return out
}

// The container example is seed-httpbin with the container runtime. A docker
// stand-in on PATH checks the command line kustomize builds and runs the binary,
// so the output must equal seed-httpbin's.
func TestContainerExample(t *testing.T) {
	image := containerImage(t)
	shim := t.TempDir()
	script := `#!/bin/sh
# docker stand-in: accept only what kustomize runs for a container function.
args="$*"
for want in "run " " -i " "--network none" "--user nobody" "--security-opt=no-new-privileges"; do
  case "$args" in *"$want"*) ;; *) echo "docker stand-in: missing $want in: $args" >&2; exit 125;; esac
done
for last; do :; done
[ "$last" = "` + image + `" ] || { echo "docker stand-in: unexpected image $last" >&2; exit 125; }
exec "` + filepath.Join(binDir, "apirule-fn") + `"
`
	require.NoError(t, os.WriteFile(filepath.Join(shim, "docker"), []byte(script), 0o755))
	t.Setenv("PATH", shim+string(os.PathListSeparator)+os.Getenv("PATH"))

	for _, f := range []string{kustomization, "apirule.yaml", "service.yaml"} {
		a, err := os.ReadFile(filepath.Join("container", f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join("seed-httpbin", f))
		require.NoError(t, err)
		assert.Equal(t, string(b), string(a), "container/%s must equal seed-httpbin/%s", f, f)
	}
	out, err := kustomize("container", false)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("seed-httpbin", golden))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(out))
}

// TestKptPackage runs the function over a copy of kpt-package the way
// `kustomize fn run` does (kyaml's runfn: path annotations in, files written back)
// after removing the generated objects. The files it writes must equal the
// committed ones, and a second run must change nothing.
func TestKptPackage(t *testing.T) {
	const pkg = "kpt-package"
	dir := filepath.Join(t.TempDir(), pkg)
	require.NoError(t, os.CopyFS(dir, os.DirFS(pkg)))
	if removed := stripGenerated(t, dir); !update {
		require.NotZero(t, removed, "the committed package holds no generated objects")
	}

	fnConfig, err := yaml.ReadFile(filepath.Join(dir, "apirule-fn-config.yaml"))
	require.NoError(t, err)
	require.NoError(t, fnConfig.PipeE(yaml.SetAnnotation("config.kubernetes.io/function", "exec:\n  path: apirule-fn\n")))
	render := func() {
		t.Helper()
		var log bytes.Buffer
		err := runfn.RunFns{Path: dir, Functions: []*yaml.RNode{fnConfig.Copy()}, EnableExec: true, WorkingDir: dir, LogWriter: &log}.Execute()
		require.NoError(t, err, log.String())
	}

	render()
	if update {
		require.NoError(t, os.CopyFS(pkg+".new", os.DirFS(dir)))
		require.NoError(t, os.RemoveAll(pkg))
		require.NoError(t, os.Rename(pkg+".new", pkg))
		return
	}
	first := readTree(t, dir)
	assert.Equal(t, readTree(t, pkg), first, "rendered package differs from the committed files (UPDATE_GOLDEN=1 rewrites them)")
	render()
	assert.Equal(t, first, readTree(t, dir), "second run changed the package")
}

// stripGenerated deletes the objects the function generated from the package's
// files and returns how many there were.
func stripGenerated(t *testing.T, dir string) int {
	t.Helper()
	rw := &kio.LocalPackageReadWriter{PackagePath: dir, MatchFilesGlob: kio.MatchAll}
	nodes, err := rw.Read()
	require.NoError(t, err)
	var keep []*yaml.RNode
	for _, n := range nodes {
		if _, owned := n.GetAnnotations()[ownerAnnotated]; !owned {
			keep = append(keep, n)
		}
	}
	require.NoError(t, rw.Write(keep))
	return len(nodes) - len(keep)
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// The Kptfile's function must be the released image the container example uses,
// with a config file that exists in the package.
func TestKptfilePipeline(t *testing.T) {
	kptfile, err := yaml.ReadFile("kpt-package/Kptfile")
	require.NoError(t, err)
	var k struct {
		Pipeline struct {
			Mutators []struct {
				Image      string `yaml:"image"`
				ConfigPath string `yaml:"configPath"`
			} `yaml:"mutators"`
		} `yaml:"pipeline"`
	}
	require.NoError(t, kptfile.YNode().Decode(&k))
	require.Len(t, k.Pipeline.Mutators, 1)
	m := k.Pipeline.Mutators[0]
	assert.FileExists(t, filepath.Join("kpt-package", m.ConfigPath))

	assert.Equal(t, containerImage(t), m.Image)
}

// containerImage is the image container/transformer.yaml runs.
func containerImage(t *testing.T) string {
	t.Helper()
	cfg, err := yaml.ReadFile("container/transformer.yaml")
	require.NoError(t, err)
	spec, err := runtimeutil.GetFunctionSpec(cfg)
	require.NoError(t, err)
	require.NotNil(t, spec, "container/transformer.yaml declares no function")
	require.NotEmpty(t, spec.Container.Image)
	return spec.Container.Image
}
