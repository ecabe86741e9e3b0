package argocd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/status"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	recipeSidecar      = "recipe 2: CMP sidecar"
	recipeBuildOptions = "recipe 1: kustomize.buildOptions"

	// systemPath is the repo-server's PATH before a recipe adds anything: git is there, and
	// neither kustomize nor apirule-fn may be.
	systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

	// What the application controller sends with every request (its defaults in Argo CD 3).
	appLabelKey    = common.LabelKeyAppInstance
	trackingMethod = string(v1alpha1.TrackingMethodAnnotation)

	generateTimeout = 3 * time.Minute
)

// TestRecipeCMPSidecar: the README's plugin.yaml in a CMP server that has kustomize and
// apirule-fn on its PATH; a repo-server that has neither; Applications naming the plugin.
func TestRecipeCMPSidecar(t *testing.T) {
	skipUnlessSetUp(t)
	source := readmeApplicationSource(t)
	require.NotNil(t, source.Plugin, "the README's Application names no plugin")
	for _, tool := range []string{"kustomize", "apirule-fn"} {
		require.Empty(t, findOnPath(tool, systemPath), "%s is on %s: the repo-server would not need the sidecar", tool, systemPath)
	}

	plugin, sockets := startCMPServer(t)
	require.Equal(t, plugin, source.Plugin.Name, "the README's Application must name the README's plugin")
	repo := startRepoServer(t, "repo-server-sidecar", systemPath, sockets)

	request := func(app, path string) *apiclient.ManifestRequest {
		src := source.DeepCopy()
		src.RepoURL, src.Path, src.TargetRevision = env.repo.url, path, "HEAD"
		return manifestRequest(app, src, nil)
	}
	for _, path := range env.repo.examples {
		t.Run(path, func(t *testing.T) {
			checkExample(t, recipeSidecar, repo, request, path, v1alpha1.ApplicationSourceTypePlugin)
		})
	}
	t.Run("broken APIRule", func(t *testing.T) {
		checkFunctionError(t, recipeSidecar, repo, request("broken", brokenPath))
	})
}

// TestRecipeBuildOptions: the kustomize Argo CD bundles and apirule-fn on the repo-server's
// PATH, and argocd-cm's kustomize.buildOptions from the README, sent as the controller sends them.
func TestRecipeBuildOptions(t *testing.T) {
	skipUnlessSetUp(t)
	buildOptions := readmeBuildOptions(t)
	tools := toolsDir(t, "repo-server-tools", env.bins.kustomizeBundled)
	repo := startRepoServer(t, "repo-server-buildoptions", tools+":"+systemPath, "")

	request := func(app, path string) *apiclient.ManifestRequest {
		return manifestRequest(app, gitSource(path), &v1alpha1.KustomizeOptions{BuildOptions: buildOptions})
	}
	for _, path := range env.repo.examples {
		t.Run(path, func(t *testing.T) {
			checkExample(t, recipeBuildOptions, repo, request, path, v1alpha1.ApplicationSourceTypeKustomize)
		})
	}
	t.Run("broken APIRule", func(t *testing.T) {
		checkFunctionError(t, recipeBuildOptions, repo, request("broken", brokenPath))
	})

	// Without the build options, kustomize refuses the transformer, as the README says.
	t.Run("without build options", func(t *testing.T) {
		const want = "external plugins disabled; unable to load external plugin 'APIRuleTransformer'"
		start := time.Now()
		_, err := generate(repo, manifestRequest("no-build-options", gitSource(env.repo.examples[0]), nil))
		took := time.Since(start)
		require.Error(t, err)
		msg := status.Convert(err).Message()
		t.Logf("Argo CD returned (%.1fs): %s", took.Seconds(), msg)
		var failed error
		if !strings.Contains(msg, want) {
			failed = fmt.Errorf("error lacks %q: %s", want, msg)
		}
		report.add(recipeBuildOptions, "without build options: "+want, failed, took)
		assert.NoError(t, failed)
	})
}

// checkExample generates the manifests of the example at path and compares them with its
// committed expected-output.yaml.
func checkExample(t *testing.T, recipe string, repo apiclient.RepoServerServiceClient,
	request func(app, path string) *apiclient.ManifestRequest, path string, sourceType v1alpha1.ApplicationSourceType,
) {
	app := strings.ReplaceAll(strings.TrimPrefix(path, "examples/"), "/", "-")
	start := time.Now()
	res, err := generate(repo, request(app, path))
	took := time.Since(start)
	if err != nil {
		report.add(recipe, path, err, took)
		require.NoError(t, err)
	}
	t.Logf("%s in %.1fs: %d objects (%s; %s)", res.SourceType, took.Seconds(), len(res.Manifests), strings.Join(res.Commands, "; "), res.Revision)
	failed := compareWithGolden(app, res, sourceType, filepath.Join(env.repo.root, path, golden))
	report.add(recipe, path, failed, took)
	assert.NoError(t, failed)
}

// compareWithGolden checks that the manifests Argo CD returned are, object by object and in
// order, those in the golden file, apart from the tracking annotation Argo CD adds to each.
func compareWithGolden(app string, res *apiclient.ManifestResponse, sourceType v1alpha1.ApplicationSourceType, goldenPath string) error {
	if res.SourceType != string(sourceType) {
		return fmt.Errorf("source type %q, want %q", res.SourceType, sourceType)
	}
	want, err := readObjects(goldenPath)
	if err != nil {
		return err
	}
	var got []any
	for _, m := range res.Manifests {
		var obj map[string]any
		if err := json.Unmarshal([]byte(m), &obj); err != nil {
			return fmt.Errorf("manifest is not JSON: %w", err)
		}
		if err := dropTrackingID(obj, app); err != nil {
			return err
		}
		got = append(got, obj)
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d objects, %s has %d", len(got), goldenPath, len(want))
	}
	for i := range want {
		if !assert.ObjectsAreEqual(want[i], got[i]) {
			w, _ := yaml.Marshal(want[i])
			g, _ := yaml.Marshal(got[i])
			return fmt.Errorf("object %d differs from %s\nwant:\n%s\ngot:\n%s", i, goldenPath, w, g)
		}
	}
	return nil
}

// dropTrackingID removes the argocd.argoproj.io/tracking-id annotation the repo-server adds to
// every object (annotation tracking) after checking that it names the Application.
func dropTrackingID(obj map[string]any, app string) error {
	meta, _ := obj["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	id, _ := annotations[common.AnnotationKeyAppInstance].(string)
	if !strings.HasPrefix(id, app+":") {
		return fmt.Errorf("%v %v: tracking id %q does not name the Application %q", obj["kind"], meta["name"], id, app)
	}
	delete(annotations, common.AnnotationKeyAppInstance)
	if len(annotations) == 0 {
		delete(meta, "annotations")
	}
	return nil
}

// readObjects decodes a YAML stream into JSON-shaped objects (numbers as float64), the form
// json.Unmarshal gives the manifests.
func readObjects(path string) ([]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var objs []any
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
}

// checkFunctionError generates the broken APIRule's manifests: the call must fail, and the
// error must carry every line apirule-fn writes to stderr for it.
func checkFunctionError(t *testing.T, recipe string, repo apiclient.RepoServerServiceClient, req *apiclient.ManifestRequest) {
	lines := functionStderr(t)
	start := time.Now()
	_, err := generate(repo, req)
	took := time.Since(start)
	require.Error(t, err, "the broken APIRule rendered")
	msg := status.Convert(err).Message()
	t.Logf("Argo CD returned (%.1fs): %s", took.Seconds(), msg)
	var failed error
	for _, line := range lines {
		if !strings.Contains(msg, line) {
			failed = errors.Join(failed, fmt.Errorf("error lacks the function's line %q", line))
		}
	}
	report.add(recipe, "broken APIRule: "+firstLine(lines), failed, took)
	assert.NoError(t, failed, "Argo CD's error: %s", msg)
}

// functionStderr builds testdata/broken with the kustomize CLI and returns what apirule-fn
// wrote to stderr: the lines before kustomize's own "Error: ..." line.
func functionStderr(t *testing.T) []string {
	t.Helper()
	tools := toolsDir(t, "cli-tools", env.bins.kustomizeSidecar)
	cmd := exec.Command(filepath.Join(tools, "kustomize"), "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join(env.repo.root, brokenPath))
	cmd.Env = []string{"PATH=" + tools + ":" + systemPath, "HOME=" + env.work}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.Error(t, cmd.Run(), "testdata/broken builds without error")
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && !strings.HasPrefix(line, "Error: ") {
			lines = append(lines, line)
		}
	}
	require.NotEmpty(t, lines, "apirule-fn wrote nothing to stderr: %s", stderr.String())
	return lines
}

func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// generate calls GenerateManifest as the application controller does.
func generate(repo apiclient.RepoServerServiceClient, req *apiclient.ManifestRequest) (*apiclient.ManifestResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), generateTimeout)
	defer cancel()
	return repo.GenerateManifest(ctx, req)
}

// manifestRequest is the request the application controller sends for an Application with this
// source (controller/state.go, getRepoObjs), without caching: every case really runs.
func manifestRequest(app string, source *v1alpha1.ApplicationSource, kustomize *v1alpha1.KustomizeOptions) *apiclient.ManifestRequest {
	return &apiclient.ManifestRequest{
		Repo:               &v1alpha1.Repository{Repo: env.repo.url},
		Revision:           source.TargetRevision,
		NoCache:            true,
		AppLabelKey:        appLabelKey,
		AppName:            app,
		Namespace:          "", // the controller sends the destination namespace only with sendRuntimeState
		ApplicationSource:  source,
		KustomizeOptions:   kustomize,
		TrackingMethod:     trackingMethod,
		ProjectName:        "default",
		ProjectSourceRepos: []string{"*"},
	}
}

func gitSource(path string) *v1alpha1.ApplicationSource {
	return &v1alpha1.ApplicationSource{RepoURL: env.repo.url, Path: path, TargetRevision: "HEAD"}
}

// startCMPServer runs the CMP server with the README's plugin.yaml, kustomize (the version the
// README's sidecar image installs) and apirule-fn on its PATH, and returns the plugin's name and
// the directory of its socket.
func startCMPServer(t *testing.T) (plugin, sockets string) {
	t.Helper()
	pluginYAML, err := readmeBlock("# ConfigMap kustomize-apirule-plugin, key plugin.yaml")
	require.NoError(t, err)
	var cfg struct {
		Metadata struct{ Name string }    `json:"metadata"`
		Spec     struct{ Version string } `json:"spec"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(pluginYAML), &cfg))
	plugin = cfg.Metadata.Name
	if cfg.Spec.Version != "" {
		plugin += "-" + cfg.Spec.Version
	}

	dir := mkdir(t, "cmp-server")
	config, sockets, workDir := mkdir(t, "cmp-server/config"), mkdir(t, "cmp-server/plugins"), mkdir(t, "cmp-server/work")
	require.NoError(t, os.WriteFile(filepath.Join(config, "plugin.yaml"), []byte(pluginYAML), 0o644))
	tools := toolsDir(t, "cmp-server-tools", env.bins.kustomizeSidecar)

	start := time.Now()
	cmd := exec.Command(env.bins.argocd, "--config-dir-path", config, "--logformat", "text")
	cmd.Env = []string{
		"ARGOCD_BINARY_NAME=argocd-cmp-server",
		common.EnvPluginSockFilePath + "=" + sockets,
		common.EnvCMPWorkDir + "=" + workDir,
		"PATH=" + tools + ":" + systemPath,
		"HOME=" + dir,
	}
	p, err := startProcess("cmp-server", cmd, dir)
	require.NoError(t, err)
	t.Cleanup(func() { stopAndReport(p) })
	err = p.waitFor(func() bool { return exists(filepath.Join(sockets, plugin+".sock")) }, time.Minute)
	report.add("setup", "cmp-server, plugin "+plugin, err, time.Since(start))
	require.NoError(t, err)
	return plugin, sockets
}

// startRepoServer runs a repo-server with this PATH (and the CMP sockets directory, if any) and
// returns a client for it. Only one may run at a time: v3.2 listens on a fixed ask-pass socket
// (/tmp/reposerver-ask-pass.sock).
func startRepoServer(t *testing.T, name, path, sockets string) apiclient.RepoServerServiceClient {
	t.Helper()
	dir := mkdir(t, name)
	port, err := freePort()
	require.NoError(t, err)
	metrics, err := freePort()
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	start := time.Now()
	cmd := exec.Command(env.bins.argocd, "--disable-tls", "--redis", env.redisURL,
		"--address", "127.0.0.1", "--port", fmt.Sprint(port),
		"--metrics-address", "127.0.0.1", "--metrics-port", fmt.Sprint(metrics), "--logformat", "text")
	cmd.Env = []string{
		"ARGOCD_BINARY_NAME=argocd-repo-server",
		"ARGOCD_GPG_ENABLED=false",
		"PATH=" + path,
		"HOME=" + dir,
		"TMPDIR=" + mkdir(t, name+"/tmp"),
	}
	if sockets != "" {
		cmd.Env = append(cmd.Env, common.EnvPluginSockFilePath+"="+sockets)
	}
	p, err := startProcess(name, cmd, dir)
	require.NoError(t, err)
	t.Cleanup(func() { stopAndReport(p) })
	err = p.waitFor(func() bool { return dials(addr) }, 2*time.Minute)
	report.add("setup", name+" "+addr, err, time.Since(start))
	require.NoError(t, err)

	closer, client, err := apiclient.NewRepoServerClientset(addr, 60, apiclient.TLSConfiguration{DisableTLS: true}).NewRepoServerClient()
	require.NoError(t, err)
	t.Cleanup(func() { _ = closer.Close() })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log (end):\n%s", name, p.logTail())
		}
	})
	return client
}

// stopAndReport stops a server and reports how and how fast.
func stopAndReport(p *process) {
	start := time.Now()
	how := p.stop()
	report.add("teardown", p.name+": "+how, nil, time.Since(start))
}

// toolsDir returns a fresh directory holding kustomize (the given binary) and apirule-fn, to
// put first on a PATH.
func toolsDir(t *testing.T, name, kustomize string) string {
	t.Helper()
	dir := mkdir(t, name)
	for link, target := range map[string]string{"kustomize": kustomize, "apirule-fn": env.bins.function} {
		_ = os.Remove(filepath.Join(dir, link))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, link)))
	}
	return dir
}

// readmeApplicationSource is spec.source of the README's Application snippet.
func readmeApplicationSource(t *testing.T) *v1alpha1.ApplicationSource {
	t.Helper()
	block, err := readmeBlock("# Application: name the plugin")
	require.NoError(t, err)
	var app v1alpha1.Application
	require.NoError(t, yaml.Unmarshal([]byte(block), &app))
	require.NotNil(t, app.Spec.Source, "the README's Application has no spec.source")
	return app.Spec.Source
}

// readmeBuildOptions is kustomize.buildOptions of the README's argocd-cm snippet.
func readmeBuildOptions(t *testing.T) string {
	t.Helper()
	block, err := readmeBlock("# argocd-cm")
	require.NoError(t, err)
	var cm struct {
		Data map[string]string `json:"data"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(block), &cm))
	opts := cm.Data["kustomize.buildOptions"]
	require.NotEmpty(t, opts, "the README's argocd-cm sets no kustomize.buildOptions")
	return opts
}

// findOnPath is exec.LookPath for another PATH: the first executable file named tool.
func findOnPath(tool, path string) string {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, tool)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// mkdir creates a directory under the run's scratch directory.
func mkdir(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(env.work, rel)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}
