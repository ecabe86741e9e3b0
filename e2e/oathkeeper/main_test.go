// Package oathkeeper is the end-to-end proof that the APIRules apirule-fn renders are enforced
// as Kyma's tutorial "Expose and secure a service with JWT" promises, with real components only:
// the apirule-fn binary built from this repository renders the APIRules, a real Ory Oathkeeper
// enforces the rendered Rules, and the tokens come from a real OpenID provider (the zitadel/oidc
// library's example OP). Everything listens on loopback.
//
// The heavy, shared parts (binaries, OP, upstream) are set up once in TestMain; each test renders
// its own APIRules and starts its own Oathkeeper with the Rules they produced.
package oathkeeper

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// env holds the components TestMain starts once for all tests.
var env *suite

// clock records how long each phase took, so that a run shows where its time went.
var clock phases

type suite struct {
	work             string // scratch directory of this run
	fnBinary         string // apirule-fn built from the repository root
	oathkeeperBinary string
	idp              *idp
	upstream         *upstream
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run exists so that deferred clean-ups happen before os.Exit.
func run(m *testing.M) int {
	started := time.Now()
	defer func() { clock.print(os.Stdout, time.Since(started)) }()

	s, err := setUp()
	if s != nil {
		defer s.tearDown()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e set-up failed:", err)
		return 1
	}
	env = s
	return m.Run()
}

func setUp() (*suite, error) {
	work, err := os.MkdirTemp("", "apirule-fn-e2e-")
	if err != nil {
		return nil, err
	}
	s := &suite{work: work}
	binCache, err := filepath.Abs(".bin")
	if err != nil {
		return s, err
	}
	if s.oathkeeperBinary, err = timed("build oathkeeper", func() (string, error) { return buildOathkeeper(binCache) }); err != nil {
		return s, err
	}
	if s.fnBinary, err = timed("build apirule-fn", func() (string, error) { return buildFunction(work) }); err != nil {
		return s, err
	}
	if s.idp, err = timed("start OIDC provider", func() (*idp, error) { return startIDP(work) }); err != nil {
		return s, err
	}
	s.upstream = startUpstream()
	return s, nil
}

func (s *suite) tearDown() {
	if s.upstream != nil {
		s.upstream.server.Close()
	}
	if s.idp != nil {
		s.idp.server.Close()
	}
	os.RemoveAll(s.work)
}

// phases adds up the time spent per named phase, in the order the phases first ran.
type phases struct {
	mu    sync.Mutex
	names []string
	spent map[string]time.Duration
}

// start begins timing one occurrence of a phase; call the returned function to stop it.
func (p *phases) start(name string) (stop func()) {
	began := time.Now()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.spent == nil {
			p.spent = map[string]time.Duration{}
		}
		if !slices.Contains(p.names, name) {
			p.names = append(p.names, name)
		}
		p.spent[name] += time.Since(began)
	}
}

func (p *phases) print(w io.Writer, total time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(w, "e2e phase timings:")
	for _, name := range p.names {
		fmt.Fprintf(w, "  %-20s %8.2fs\n", name, p.spent[name].Seconds())
	}
	fmt.Fprintf(w, "  %-20s %8.2fs\n", "total (test binary)", total.Seconds())
}

// timed runs f as one occurrence of the named phase.
func timed[T any](name string, f func() (T, error)) (T, error) {
	defer clock.start(name)()
	return f()
}
