package yamlsafe_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"
	"unicode"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// FuzzDecode holds Decode to the package's promise on any single YAML document:
// whatever it accepts and kubectl's YAML-to-JSON conversion (sigs.k8s.io/yaml) can
// read, kubectl reads as the same JSON value; whatever it refuses, the message is
// free of control characters.
func FuzzDecode(f *testing.F) {
	for _, c := range acceptedCases {
		f.Add([]byte(c.src))
	}
	for _, s := range []string{
		"a: yes", "on: x", "a: 0700", "a: &x 1\nb: *x", "a: !!binary aGk=", "? [a]\n: b", "a: {b: 1, b: 2}",
		"a: .inf", "a: 2001-12-14", "a: 1_000", "a: 0x1F", "a: 0o17", "a: 1e3", "a: '\\x1b'", "\"k\\e\": 1\n\"k\\e\": 2",
		"spec:\n  rules:\n  - path: /a\n    methods: [GET]\n    noAuth: true\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang crashes the worker, which makes the fuzzer keep the input.
		defer time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hangs on %q", data)) }).Stop()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var doc, next yaml.Node
		if dec.Decode(&doc) != nil || !errors.Is(dec.Decode(&next), io.EOF) {
			return // not YAML, or more than one document
		}
		// The function reads through krmio, which refuses what no node shows (the
		// non-specific tag) and skips empty documents.
		in, err := krmio.Parse(data)
		if err != nil || in.Wrapped || len(in.Items) != 1 {
			return
		}
		v, err := yamlsafe.Decode(in.Items[0], defaultLimits)
		if err != nil {
			for _, r := range err.Error() {
				if !unicode.IsPrint(r) {
					t.Fatalf("message with the control character %q: %q", r, err.Error())
				}
			}
			return
		}
		got, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("decoded value is not JSON: %v", err)
		}
		want, err := k8syaml.YAMLToJSON(data)
		if err != nil {
			// kubectl cannot apply what it cannot read (yaml.v2 refuses a few
			// things yaml.v3 reads, such as a tab before a comment): nothing is
			// read two ways.
			return
		}
		if g, w := jsonValue(t, got), jsonValue(t, want); !reflect.DeepEqual(g, w) {
			t.Fatalf("Decode reads %s, kubectl %s:\n%s", got, want, data)
		}
	})
}

// jsonValue decodes JSON with exact numbers.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}
