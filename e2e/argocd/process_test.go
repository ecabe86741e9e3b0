package argocd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// process is a server this test started, with its output in a log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed when the process has exited
	err     error         // its exit status, once exited is closed
}

// startProcess starts cmd in its own process group (so that stopping it also reaches the
// kustomize and apirule-fn processes it may have started), logging to dir/name.log.
func startProcess(name string, cmd *exec.Cmd, dir string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitFor polls ready until it holds, the process exits, or timeout passes.
func (p *process) waitFor(ready func() bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if ready() {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited (%v) before it was ready:\n%s", p.name, p.err, p.logTail())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s:\n%s", p.name, timeout, p.logTail())
		}
	}
}

// stop ends the process and says how: SIGTERM, then a second SIGTERM (the CMP server handles the
// first one by removing its socket but keeps serving; the second one ends it), then SIGKILL to
// the whole process group.
func (p *process) stop() string {
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
		how  string
	}{
		{syscall.SIGTERM, 3 * time.Second, "SIGTERM"},
		{syscall.SIGTERM, 5 * time.Second, "second SIGTERM"},
		{syscall.SIGKILL, 10 * time.Second, "SIGKILL"},
	} {
		pid := p.cmd.Process.Pid
		if step.sig == syscall.SIGKILL {
			pid = -pid // the process group
		}
		if err := syscall.Kill(pid, step.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Sprintf("%s: %v", step.how, err)
		}
		select {
		case <-p.exited:
			return "stopped by " + step.how
		case <-time.After(step.wait):
		}
	}
	return "did not stop"
}

// logTail is the end of the process's log, for error messages.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// dials reports whether something accepts connections on addr.
func dials(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// exists reports whether path exists (a socket the CMP server creates).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
