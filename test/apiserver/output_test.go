package apiserver

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ory/ladon/compiler"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/apirule-krm/apirule-fn/test/apiserver/crdvalidate"
)

// outputCRDs compiles, once, the CRDs of every kind the function generates: the Istio CRDs
// shipped in the istio.io/api module of this build (only the three kinds the function emits,
// all their served versions) and the Oathkeeper Rule CRD.
var outputCRDs = sync.OnceValues(func() (*crdvalidate.Set, error) {
	dir, err := istioAPIDir()
	if err != nil {
		return nil, err
	}
	return compileCRDs(map[string]func(crdvalidate.GVK) bool{
		filepath.Join(dir, "kubernetes/customresourcedefinitions.gen.yaml"): func(g crdvalidate.GVK) bool {
			return generatedKinds[g.Kind] == g.Group
		},
		"testdata/crds/rules.oathkeeper.ory.sh.yaml": nil,
	})
})

func outputSet(t *testing.T) *crdvalidate.Set {
	t.Helper()
	set, err := outputCRDs()
	require.NoError(t, err)
	return set
}

// compileCRDs compiles the versions each file's filter keeps (nil: all) into one set.
func compileCRDs(files map[string]func(crdvalidate.GVK) bool) (*crdvalidate.Set, error) {
	set := crdvalidate.NewSet()
	for file, keep := range files {
		if err := addCRDFile(set, file, keep); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// istioAPIDir returns the module cache folder of the istio.io/api version in this build's
// module graph (the function's version). No package of it is imported here, so `go list -m`
// alone would not download it; `go mod download` does, without touching go.sum.
func istioAPIDir() (string, error) {
	version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "istio.io/api").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m istio.io/api: %w", err)
	}
	out, err := exec.Command("go", "mod", "download", "-json", "istio.io/api@"+strings.TrimSpace(string(version))).Output()
	if err != nil {
		return "", fmt.Errorf("go mod download istio.io/api: %w", err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return "", fmt.Errorf("go mod download istio.io/api: no folder in %s (%v)", out, err)
	}
	return mod.Dir, nil
}

func addCRDFile(set *crdvalidate.Set, file string, keep func(crdvalidate.GVK) bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := set.AddCRDs(f, keep); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// forEachOutput runs check on every generated object of the given kinds (all kinds if none),
// in a subtest per run, and fails if there was no such object at all.
func forEachOutput(t *testing.T, check func(t *testing.T, r run, o obj), kinds ...string) {
	t.Helper()
	seen := 0
	for _, r := range producedRuns(t) {
		t.Run(r.name, func(t *testing.T) {
			for _, o := range r.outputs {
				if len(kinds) == 0 || slices.Contains(kinds, kindOf(o)) {
					seen++
					check(t, r, o)
				}
			}
		})
	}
	require.Positive(t, seen, "no generated object of kinds %v in any run", kinds)
}

// TestOutputsAreValidCustomResources validates every generated object as the API server would on
// `kubectl apply --validate=strict`: schema, unknown fields, CEL rules and metadata (name,
// namespace, labels).
func TestOutputsAreValidCustomResources(t *testing.T) {
	set := outputSet(t)
	forEachOutput(t, func(t *testing.T, r run, o obj) {
		errs, err := set.Validate(o)
		if assert.NoError(t, err, describe(r, o)) {
			assert.Empty(t, errs, describe(r, o))
		}
	})
}

// TestOathkeeperHandlerConfigs checks that every handler of every Rule exists in Oathkeeper and
// that its config passes the handler's JSON schema (the Rule CRD accepts any config).
func TestOathkeeperHandlerConfigs(t *testing.T) {
	schemas, err := newHandlerSchemas()
	require.NoError(t, err)
	forEachOutput(t, func(t *testing.T, r run, o obj) {
		spec, _, _ := unstructured.NestedMap(o, "spec")
		handlers := map[string][]any{"authorizers": {spec["authorizer"]}}
		for field, kind := range map[string]string{"authenticators": "authenticators", "mutators": "mutators", "errors": "errors"} {
			list, _ := spec[field].([]any)
			handlers[kind] = append(handlers[kind], list...)
		}
		for kind, list := range handlers {
			for i, h := range list {
				m, _ := h.(map[string]any)
				if m == nil {
					continue // the CRD check reports a missing authorizer
				}
				name, _ := m["handler"].(string)
				assert.NoError(t, schemas.validate(kind, name, m["config"]), "%s: %s[%d]", describe(r, o), kind, i)
			}
		}
	}, "Rule")
}

// TestOathkeeperMatchURLsCompile compiles every Rule's match.url the way Oathkeeper does
// (ladon's regex-template compiler with < and > delimiters, regexp2 in RE2 mode).
func TestOathkeeperMatchURLsCompile(t *testing.T) {
	forEachOutput(t, func(t *testing.T, r run, o obj) {
		url, _, _ := unstructured.NestedString(o, "spec", "match", "url")
		_, err := compiler.CompileRegex(url, '<', '>')
		assert.NoError(t, err, "%s: match.url %q", describe(r, o), url)
	}, "Rule")
}

// TestVirtualServiceRegexesAreRE2 compiles every regex a VirtualService hands to Envoy (uri and
// method matches, CORS origins) with Go's regexp, which implements the RE2 syntax Envoy uses.
func TestVirtualServiceRegexesAreRE2(t *testing.T) {
	forEachOutput(t, func(t *testing.T, r run, o obj) {
		for _, re := range virtualServiceRegexes(o) {
			_, err := regexp.Compile(re.value)
			assert.NoError(t, err, "%s: %s = %q", describe(r, o), re.path, re.value)
		}
	}, "VirtualService")
}

type located struct{ path, value string }

func virtualServiceRegexes(vs obj) []located {
	var out []located
	routes, _, _ := unstructured.NestedSlice(vs, "spec", "http")
	for i, route := range routes {
		route, _ := route.(map[string]any)
		matches, _, _ := unstructured.NestedSlice(route, "match")
		for j, m := range matches {
			m, _ := m.(map[string]any)
			for _, field := range []string{"uri", "method"} {
				if re, ok, _ := unstructured.NestedString(m, field, "regex"); ok {
					out = append(out, located{fmt.Sprintf("spec.http[%d].match[%d].%s.regex", i, j, field), re})
				}
			}
		}
		origins, _, _ := unstructured.NestedSlice(route, "corsPolicy", "allowOrigins")
		for j, origin := range origins {
			origin, _ := origin.(map[string]any)
			if re, ok, _ := unstructured.NestedString(origin, "regex"); ok {
				out = append(out, located{fmt.Sprintf("spec.http[%d].corsPolicy.allowOrigins[%d].regex", i, j), re})
			}
		}
	}
	return out
}
