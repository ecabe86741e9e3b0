package oathkeeper

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startOathkeeper writes rules to a file repository, starts `oathkeeper serve` on loopback ports
// and waits until it serves exactly those rules. It returns the address of its reverse proxy,
// the stand-in for ory-oathkeeper-proxy.kyma-system:4455. Oathkeeper is stopped when t ends;
// if t failed, the end of its log is printed.
func startOathkeeper(t *testing.T, rules []accessRule) (proxyAddr string) {
	t.Helper()
	defer clock.start("start oathkeeper")()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.json")
	writeJSON(t, rulesFile, rules)
	proxyPort, apiPort, metricsPort := freePort(t), freePort(t), freePort(t)
	configFile := filepath.Join(dir, "oathkeeper.json")
	writeJSON(t, configFile, oathkeeperConfig(rulesFile, dir, proxyPort, apiPort, metricsPort))

	logPath := filepath.Join(dir, "oathkeeper.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(env.oathkeeperBinary, "serve", "--config", configFile, "--sqa-opt-out")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(),
		"SSL_CERT_FILE="+env.idp.caFile, // trust the OP's certificate when fetching its JWKS
		// Belt and braces next to --sqa-opt-out: Oathkeeper still queues one telemetry message
		// for an external host. Loopback is never proxied, so this dead proxy stops only that.
		"SQA_OPT_OUT=true", "HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1",
	)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			t.Logf("oathkeeper log (last %d lines of %s):\n%s", logTail, logPath, tail(logPath, logTail))
		}
	})

	apiURL := "http://127.0.0.1:" + strconv.Itoa(apiPort)
	require.Eventually(t, func() bool { return servesRules(apiURL, len(rules)) }, 30*time.Second, 100*time.Millisecond,
		"oathkeeper did not become ready with %d rules (log: %s)", len(rules), logPath)
	return "127.0.0.1:" + strconv.Itoa(proxyPort)
}

// logTail is how much of Oathkeeper's log a failed test shows; the head is its config dump.
const logTail = 40

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// oathkeeperConfig enables the handlers the rendered Rules use (authenticators jwt and noop,
// authorizer allow, mutators noop and header) plus those toAccessRule puts in for missing ones
// (authenticator unauthorized, authorizer deny), and regexp matching, which is what the
// <http|https>://host</path> templates of the Rules are. Errors are verbose JSON so that a test
// can check why a request was refused.
//
// The global jwt config must name some jwks_urls; it names a file that does not exist, so a
// token can only be verified through the jwks_urls the rendered Rule itself carries.
// scope_strategy exact makes required_scope a plain "scope claim contains it" check.
func oathkeeperConfig(rulesFile, dir string, proxyPort, apiPort, metricsPort int) map[string]any {
	enabled := map[string]any{"enabled": true}
	return map[string]any{
		"serve": map[string]any{
			"proxy":      map[string]any{"host": "127.0.0.1", "port": proxyPort},
			"api":        map[string]any{"host": "127.0.0.1", "port": apiPort},
			"prometheus": map[string]any{"host": "127.0.0.1", "port": metricsPort},
		},
		"access_rules": map[string]any{
			"matching_strategy": "regexp",
			"repositories":      []string{"file://" + rulesFile},
		},
		"authenticators": map[string]any{
			"jwt": map[string]any{"enabled": true, "config": map[string]any{
				"jwks_urls":      []string{"file://" + filepath.Join(dir, "no-such-jwks.json")},
				"scope_strategy": "exact",
			}},
			"noop":         enabled,
			"unauthorized": enabled,
		},
		"authorizers": map[string]any{"allow": enabled, "deny": enabled},
		"mutators": map[string]any{
			"noop":   enabled,
			"header": map[string]any{"enabled": true, "config": map[string]any{"headers": map[string]string{}}},
		},
		"errors": map[string]any{
			"fallback": []string{"json"},
			"handlers": map[string]any{"json": map[string]any{"enabled": true, "config": map[string]any{"verbose": true}}},
		},
		"log": map[string]any{"level": "debug", "format": "json"},
	}
}

// servesRules reports whether Oathkeeper is ready and its API lists exactly n rules.
func servesRules(apiURL string, n int) bool {
	ready, err := http.Get(apiURL + "/health/ready")
	if err != nil {
		return false
	}
	ready.Body.Close()
	if ready.StatusCode != http.StatusOK {
		return false
	}
	resp, err := http.Get(apiURL + "/rules")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var loaded []json.RawMessage
	return json.NewDecoder(resp.Body).Decode(&loaded) == nil && len(loaded) == n
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
