// Package argocd runs the README's two Argo CD recipes against Argo CD's own servers: the
// repo-server and the Config Management Plugin (CMP) server of the Argo CD release this module
// requires, built from the Go module proxy by run.sh. A client calls the repo-server's
// GenerateManifest as the application controller does, for an Application whose source is a
// local git repository holding the examples, and compares what comes back with the examples'
// committed expected-output.yaml files.
//
//   - Recipe 2, the CMP sidecar: a CMP server configured with the README's plugin.yaml, with
//     kustomize and apirule-fn on its PATH; a repo-server without either on its PATH; the
//     Application names the plugin as the README's Application snippet does.
//   - Recipe 1, kustomize.buildOptions: a repo-server with the kustomize version Argo CD bundles
//     and apirule-fn on its PATH, and the README's build options as the controller sends them.
//
// Both recipes also get a broken APIRule, whose error must reach the caller carrying the
// function's own stderr line, and recipe 1 is run without the build options too, where kustomize
// refuses the transformer ("external plugins disabled").
//
// The tests skip unless run.sh (make e2e-argocd) provides the binaries.
package argocd

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment variables through which run.sh hands over the binaries.
const (
	envArgoCD           = "E2E_ARGOCD"            // the multiplexed Argo CD binary
	envKustomizeBundled = "E2E_KUSTOMIZE_BUNDLED" // the kustomize version Argo CD's image ships
	envKustomizeSidecar = "E2E_KUSTOMIZE_SIDECAR" // the kustomize the README's sidecar image installs
	envFunction         = "E2E_APIRULE_FN"        // apirule-fn built from this working tree
	envRedis            = "E2E_REDIS_SERVER"      // redis-server
)

// env holds what TestMain sets up once for both recipes.
var env *suite

type suite struct {
	work     string // scratch directory of this run, removed at the end
	bins     binaries
	repo     *gitRepo
	redis    *process
	redisURL string // host:port for the repo-server's --redis
}

type binaries struct {
	argocd, kustomizeBundled, kustomizeSidecar, function, redis string
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run exists so that deferred clean-ups happen before os.Exit.
func run(m *testing.M) int {
	bins, ok := binariesFromEnv()
	if !ok {
		fmt.Println("e2e-argocd: binaries not provided; run make e2e-argocd (e2e/argocd/run.sh)")
		return m.Run() // every test skips
	}
	started := time.Now()
	defer func() { report.print(os.Stdout, time.Since(started)) }()

	s, err := setUp(bins)
	if s != nil {
		defer s.tearDown()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e-argocd: set-up failed:", err)
		return 1
	}
	env = s
	return m.Run()
}

func binariesFromEnv() (binaries, bool) {
	b := binaries{
		argocd:           os.Getenv(envArgoCD),
		kustomizeBundled: os.Getenv(envKustomizeBundled),
		kustomizeSidecar: os.Getenv(envKustomizeSidecar),
		function:         os.Getenv(envFunction),
		redis:            os.Getenv(envRedis),
	}
	for _, p := range []string{b.argocd, b.kustomizeBundled, b.kustomizeSidecar, b.function, b.redis} {
		if p == "" {
			return b, false
		}
	}
	return b, true
}

func setUp(bins binaries) (*suite, error) {
	// A short path: unix socket paths are limited to 108 bytes.
	work, err := os.MkdirTemp("", "argocd-e2e-")
	if err != nil {
		return nil, err
	}
	s := &suite{work: work, bins: bins}
	start := time.Now()
	if s.repo, err = newGitRepo(filepath.Join(work, "repo")); err != nil {
		return s, err
	}
	report.add("setup", "git repository of the examples", nil, time.Since(start))

	start = time.Now()
	port, err := freePort()
	if err != nil {
		return s, err
	}
	s.redisURL = fmt.Sprintf("127.0.0.1:%d", port)
	redis := exec.Command(bins.redis, "--bind", "127.0.0.1", "--port", fmt.Sprint(port),
		"--save", "", "--appendonly", "no", "--dir", work)
	if s.redis, err = startProcess("redis", redis, work); err != nil {
		return s, err
	}
	err = s.redis.waitFor(func() bool { return dials(s.redisURL) }, 30*time.Second)
	report.add("setup", "redis-server "+s.redisURL, err, time.Since(start))
	return s, err
}

func (s *suite) tearDown() {
	if s.redis != nil {
		stopAndReport(s.redis)
	}
	_ = os.RemoveAll(s.work)
}

// skipUnlessSetUp skips a test run outside make e2e-argocd.
func skipUnlessSetUp(t *testing.T) {
	t.Helper()
	if env == nil {
		t.Skip("binaries not provided; run make e2e-argocd")
	}
}

// report collects each recipe's cases with their result and duration, printed at the end.
var report results

type results struct {
	mu   sync.Mutex
	rows []result
}

type result struct {
	recipe, name string
	err          error
	took         time.Duration
}

func (r *results) add(recipe, name string, err error, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, result{recipe, name, err, took})
}

func (r *results) print(w io.Writer, total time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(w, "\ne2e-argocd: what ran")
	for _, row := range r.rows {
		verdict := "ok  "
		if row.err != nil {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "  %s %-33s %-60s %6.1fs\n", verdict, row.recipe, row.name, row.took.Seconds())
		if row.err != nil {
			fmt.Fprintf(w, "       %s\n", strings.ReplaceAll(row.err.Error(), "\n", "\n       "))
		}
	}
	fmt.Fprintf(w, "e2e-argocd: tests took %.1fs\n", total.Seconds())
}
