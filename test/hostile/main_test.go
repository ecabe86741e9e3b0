// Package hostile runs the built apirule-fn binary on hostile and on oddly written
// but benign input, as a subprocess, and holds it to time and memory bounds.
//
// The bounds are generous for a loaded 2-core CI runner (the worst case takes well
// under a second of CPU time and about 200 MB) and still fail a real regression: an
// expanding billion-laughs document or an unbounded read takes gigabytes and many
// seconds. Time is CPU time (user and system): wall time on a busy runner says more
// about the neighbours.
package hostile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	// The tests run the built binary; importing its code makes go test's cache see
	// every change to it, so a cached pass can never hide a regression.
	_ "github.com/apirule-krm/apirule-fn/fn/cmd"
)

const (
	repoRoot = "../.."
	// maxCPU and maxRSS bound every run; hangAfter kills a run that never ends.
	maxCPU    = 2 * time.Second
	maxRSS    = 256 << 20
	hangAfter = 30 * time.Second
	// helperEnv makes the test binary run apirule-fn and report its resource usage.
	helperEnv = "APIRULE_FN_HOSTILE_HELPER"
)

// bin is the apirule-fn binary TestMain builds.
var bin string

func TestMain(m *testing.M) {
	if b := os.Getenv(helperEnv); b != "" {
		os.Exit(helper(b, os.Args[1:]))
	}
	dir, err := os.MkdirTemp("", "apirule-fn-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "apirule-fn")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = repoRoot, os.Stderr, os.Stderr
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build apirule-fn:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// helper runs binary with the helper's stdin, stdout and stderr and writes
// "<exit code> <peak RSS in bytes> <CPU nanoseconds>" to file descriptor 3.
//
// Linux carries the parent's peak RSS over into a child's ru_maxrss (a forked
// child starts with the parent's memory, and exec keeps the high-water mark), so the
// test process, which builds large inputs, must not start apirule-fn itself: this
// small fresh process does.
func helper(binary string, args []string) int {
	report := os.NewFile(3, "report")
	cmd := exec.Command(binary, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	_ = cmd.Run()
	if cmd.ProcessState == nil {
		return 1
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rss := ru.Maxrss
	if runtime.GOOS != "darwin" { // kilobytes on Linux, bytes on macOS
		rss *= 1024
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	_, err := fmt.Fprintf(report, "%d %d %d", cmd.ProcessState.ExitCode(), rss, cpu)
	if err != nil {
		return 1
	}
	return 0
}

// run is one finished run of the binary.
type run struct {
	stdout, stderr []byte
	code           int
	cpu, wall      time.Duration
	rss            int64 // peak resident set size in bytes
}

// runFn runs the binary through the helper with stdin (an *os.File is handed
// over as the child's stdin, any other reader is piped) and the given arguments.
func runFn(t *testing.T, stdin io.Reader, args ...string) run {
	t.Helper()
	return runFnEnv(t, nil, stdin, args...)
}

// runFnEnv is runFn with extra environment variables ("NAME=value").
func runFnEnv(t *testing.T, env []string, stdin io.Reader, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangAfter)
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	cmd.ExtraFiles = []*os.File{w}
	cmd.Env = append(append(os.Environ(), env...), helperEnv+"="+bin)
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	w.Close()
	report, _ := io.ReadAll(r)
	res := run{stdout: stdout.Bytes(), stderr: stderr.Bytes(), wall: wall}
	var cpu int64
	if _, scanErr := fmt.Sscanf(string(report), "%d %d %d", &res.code, &res.rss, &cpu); scanErr != nil {
		t.Fatalf("apirule-fn did not finish within %v (%v; %v):\n%s", hangAfter, err, scanErr, head(res.stderr))
	}
	res.cpu = time.Duration(cpu)
	return res
}

// checkBounds fails the test when a run took too long or too much memory, crashed,
// or wrote control characters that a terminal would interpret.
func checkBounds(t *testing.T, r run) {
	t.Helper()
	t.Logf("%v CPU, %v wall, %d MB peak RSS", r.cpu.Round(time.Millisecond), r.wall.Round(time.Millisecond), r.rss>>20)
	if r.cpu > maxCPU {
		t.Errorf("took %v of CPU time, more than %v", r.cpu, maxCPU)
	}
	if r.rss > maxRSS {
		t.Errorf("peak RSS %d MB, more than %d MB", r.rss>>20, maxRSS>>20)
	}
	for _, crash := range []string{"goroutine ", "panic:", "fatal error:", "runtime error"} {
		if bytes.Contains(r.stderr, []byte(crash)) {
			t.Errorf("stderr shows a crash (%q):\n%s", crash, head(r.stderr))
		}
	}
	if bad := controlCharacter(r.stderr, nil); bad != "" {
		t.Errorf("stderr holds the control character %s:\n%s", bad, head(r.stderr))
	}
	if bad := controlCharacter(r.stdout, unicode.Cc); bad != "" {
		t.Errorf("stdout holds the control character %s:\n%s", bad, head(r.stdout))
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(r.stderr), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "apirule-fn: ") {
			t.Errorf("stderr line without the apirule-fn prefix: %q", line)
		}
	}
}

// controlCharacter returns the first character other than newline and tab that is
// in table (nil: that is not printable, which includes bidi overrides and invalid
// UTF-8), quoted. stdout is held to C0 and C1 controls only: the YAML encoder
// escapes those, while a bidi override inside an echoed item is data.
func controlCharacter(b []byte, table *unicode.RangeTable) string {
	for _, r := range string(b) {
		if r == '\n' || r == '\t' {
			continue
		}
		if table != nil && unicode.Is(table, r) || table == nil && (r == unicode.ReplacementChar || !unicode.IsPrint(r)) {
			return fmt.Sprintf("%q", r)
		}
	}
	return ""
}

// head shortens output for messages.
func head(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}
