package cmd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// generateInput writes a ResourceList of n valid v2 APIRules, each with its Service,
// and one Gateway: the shape of a large GitOps repository.
func generateInput(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata:
    name: kyma-gateway
    namespace: kyma-system
  spec:
    servers:
    - hosts: ["*.example.com"]
      port: {number: 443, name: https, protocol: HTTPS}
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `- apiVersion: v1
  kind: Service
  metadata:
    name: svc-%[1]d
    namespace: team-%[2]d
  spec:
    selector:
      app: svc-%[1]d
    ports:
    - port: 8000
- apiVersion: gateway.kyma-project.io/v2
  kind: APIRule
  metadata:
    name: api-%[1]d
    namespace: team-%[2]d
  spec:
    hosts: [api-%[1]d.example.com]
    gateway: kyma-system/kyma-gateway
    service: {name: svc-%[1]d, port: 8000}
    rules:
    - path: /orders/{*}
      methods: [GET, POST]
      jwt:
        authentications:
        - issuer: https://issuer.example.com
          jwksUri: https://issuer.example.com/keys
        authorizations:
        - requiredScopes: [orders.read]
          audiences: [orders]
    - path: /health
      methods: [GET]
      noAuth: true
`, i, i%50)
	}
	b.WriteString("functionConfig:\n  apiVersion: apirule.krm.dev/v1alpha1\n  kind: APIRuleTransformer\n  metadata:\n    name: bench\n  spec: {}\n")
	return b.Bytes()
}

// measured is one subprocess run: wall time and peak resident memory.
type measured struct {
	wall   time.Duration
	maxRSS int64 // bytes
	out    []byte
}

func runMeasured(b *testing.B, bin string, input []byte) measured {
	b.Helper()
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", bin, err)
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return measured{wall: wall, maxRSS: ru.Maxrss * 1024, out: out.Bytes()}
}

func buildBinaries(b *testing.B) (fnBin, passBin string) {
	b.Helper()
	dir := b.TempDir()
	fnBin, passBin = filepath.Join(dir, "apirule-fn"), filepath.Join(dir, "passthrough")
	for _, c := range [][]string{{"-o", fnBin, "../.."}, {"-o", passBin, "./testdata/passthrough"}} {
		cmd := exec.Command("go", append([]string{"build", "-trimpath"}, c...)...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("go build %v: %v", c, err)
		}
	}
	return fnBin, passBin
}

// BenchmarkVsPassThrough runs the function binary over n APIRules and, in turn, the
// kyaml pass-through over the function's own output (the cost to beat: kyaml's
// reading and writing of that many objects). It reports wall time and peak memory of
// both, their ratios (target ≤ 1.0 at 10,000) and, at 10,000, how many times the
// cost at 1,000 the function took (target ≤ 12).
func BenchmarkVsPassThrough(b *testing.B) {
	fnBin, passBin := buildBinaries(b)
	var at1000 time.Duration
	for _, n := range []int{1000, 10000} {
		input := generateInput(n)
		b.Run(fmt.Sprintf("apirules=%d", n), func(b *testing.B) {
			var fnSum, passSum time.Duration
			var fnRSS, passRSS int64
			for i := 0; i < b.N; i++ {
				fn := runMeasured(b, fnBin, input)
				pass := runMeasured(b, passBin, fn.out)
				fnSum += fn.wall
				passSum += pass.wall
				fnRSS, passRSS = max(fnRSS, fn.maxRSS), max(passRSS, pass.maxRSS)
			}
			fnAvg, passAvg := fnSum/time.Duration(b.N), passSum/time.Duration(b.N)
			b.ReportMetric(fnAvg.Seconds(), "fn-s")
			b.ReportMetric(passAvg.Seconds(), "passthrough-s")
			b.ReportMetric(fnAvg.Seconds()/passAvg.Seconds(), "time-ratio")
			b.ReportMetric(float64(fnRSS)/(1<<20), "fn-MiB")
			b.ReportMetric(float64(passRSS)/(1<<20), "passthrough-MiB")
			b.ReportMetric(float64(fnRSS)/float64(passRSS), "mem-ratio")
			if n == 1000 {
				at1000 = fnAvg
			} else if at1000 > 0 {
				b.ReportMetric(fnAvg.Seconds()/at1000.Seconds(), "x-cost-of-1000")
			}
		})
	}
}

// BenchmarkProcess measures the function in-process (no subprocess overhead), for
// profiling with -cpuprofile/-memprofile.
func BenchmarkProcess(b *testing.B) {
	input := generateInput(1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		if code := Main(nil, bytes.NewReader(input), &out, os.Stderr); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
