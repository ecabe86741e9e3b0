package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

// FuzzResourceList runs the whole function (reading, item checks, the processor,
// writing) on any input. Invariants: no panic and no hang; exit code 0 or 1; stderr
// is whole prefixed lines without control characters; the output is valid YAML
// without aliases, and a ResourceList whenever the input was one.
func FuzzResourceList(f *testing.F) {
	for _, pattern := range []string{"../../testdata/benign/*.yaml", "../../testdata/hostile/*/input.yaml", "../../examples/*/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	cases, err := filepath.Glob(filepath.Join(conformanceDir, "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, dir := range cases {
		resources, err1 := os.ReadFile(filepath.Join(dir, "resources.yaml"))
		config, err2 := os.ReadFile(filepath.Join(dir, "config.yaml"))
		if err1 == nil && err2 == nil {
			f.Add([]byte(wrap(string(resources), string(config))))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang crashes the worker, which makes the fuzzer keep the input.
		defer time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hangs on %q", data)) }).Stop()
		stdout, stderr, code := runFn(data)
		if code != 0 && code != 1 {
			t.Fatalf("exit code %d", code)
		}
		checkStderr(t, stderr)
		docs, err := parseAll(stdout)
		if err != nil {
			t.Fatalf("output is not YAML (%v):\n%s", err, stdout)
		}
		for _, d := range docs {
			if a := firstAlias(d); a != nil {
				t.Fatalf("output holds the alias *%s:\n%s", a.Value, stdout)
			}
		}
		if in, err := krmio.Parse(data); err == nil && in.Wrapped {
			if len(docs) != 1 || yaml.NewRNode(docs[0]).GetKind() != "ResourceList" {
				t.Fatalf("a ResourceList came in, this went out:\n%s", stdout)
			}
		}
	})
}

// wrap makes a ResourceList of a resource stream and a config document ("": none).
func wrap(resources, config string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, doc := range strings.Split(resources, "\n---\n") {
		if strings.TrimSpace(doc) != "" {
			b.WriteString("- " + strings.ReplaceAll(strings.TrimSpace(doc), "\n", "\n  ") + "\n")
		}
	}
	if config != "" {
		b.WriteString("functionConfig:\n  " + strings.ReplaceAll(strings.TrimSpace(config), "\n", "\n  ") + "\n")
	}
	return b.String()
}

func checkStderr(t *testing.T, stderr []byte) {
	t.Helper()
	if len(stderr) > 0 && !bytes.HasSuffix(stderr, []byte("\n")) {
		t.Fatalf("stderr does not end with a newline: %q", stderr)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(stderr), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "apirule-fn: ") {
			t.Fatalf("stderr line without prefix: %q", line)
		}
		for _, r := range line {
			if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
				t.Fatalf("stderr line with the control character %q: %q", r, line)
			}
		}
	}
}

func parseAll(b []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []*yaml.Node
	for {
		var d yaml.Node
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, &d)
	}
}

func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}
