package apiserver

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/apirule-krm/apirule-fn/fn/schema"
	"github.com/apirule-krm/apirule-fn/test/apiserver/crdvalidate"
)

// verdictCase is one entry of testdata/verdicts/*.yaml.
type verdictCase struct {
	Case   string `json:"case"`
	Expect string `json:"expect"` // accept | reject
	Object obj    `json:"object"`
}

// apiRuleCRDs compiles, once, the APIRule CRDs fn/schema embeds, with the same split:
// v1alpha1 from the v1alpha1-era CRD, every other version from the current one.
var apiRuleCRDs = sync.OnceValues(func() (*crdvalidate.Set, error) {
	dir := filepath.Join(repoRoot, "fn/schema/crds")
	return compileCRDs(map[string]func(crdvalidate.GVK) bool{
		filepath.Join(dir, "apirules.gateway.kyma-project.io.yaml"):              func(g crdvalidate.GVK) bool { return g.Version != "v1alpha1" },
		filepath.Join(dir, "apirules.gateway.kyma-project.io-v1alpha1-era.yaml"): func(g crdvalidate.GVK) bool { return g.Version == "v1alpha1" },
	})
})

func apiRuleSet(t *testing.T) *crdvalidate.Set {
	t.Helper()
	set, err := apiRuleCRDs()
	require.NoError(t, err)
	return set
}

// TestSchemaVerdictsMatchAPIServer proves that fn/schema.Validate accepts and rejects exactly the
// APIRules the API server's own validation (k8s.io/apiextensions-apiserver, strict field
// validation) accepts and rejects, on a table of APIRules of every version. Unknown fields count
// as a rejection on both sides: fn/schema reports them, the API server prunes and reports them.
// Each entry also states the expected verdict, so a change on both sides at once is caught too.
func TestSchemaVerdictsMatchAPIServer(t *testing.T) {
	set := apiRuleSet(t)
	files, _ := filepath.Glob("testdata/verdicts/*.yaml")
	require.NotEmpty(t, files)
	total := 0
	for _, file := range files {
		cases := readVerdictCases(t, file)
		total += len(cases)
		for _, tc := range cases {
			t.Run(filepath.Base(file)+"/"+tc.Case, func(t *testing.T) {
				require.Contains(t, []string{"accept", "reject"}, tc.Expect)
				apiErrs, err := set.Validate(tc.Object)
				require.NoError(t, err)
				version := strings.TrimPrefix(tc.Object["apiVersion"].(string), "gateway.kyma-project.io/")
				violations, err := schema.Validate(version, tc.Object)
				require.NoError(t, err)

				assert.Equal(t, tc.Expect, verdict(len(apiErrs)), "API server: %v", apiErrs)
				assert.Equal(t, tc.Expect, verdict(len(violations)), "fn/schema: %v", violations)
				// Both sides should also point at the same fields.
				assert.ElementsMatch(t, errorPaths(apiErrs), violationPaths(violations),
					"API server: %v\nfn/schema: %v", apiErrs, violations)
			})
		}
	}
	assert.GreaterOrEqual(t, total, 40, "the verdict table should keep at least 40 APIRules")
}

func verdict(failures int) string {
	if failures == 0 {
		return "accept"
	}
	return "reject"
}

func readVerdictCases(t *testing.T, file string) []verdictCase {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	docs, err := crdvalidate.SplitYAML(f)
	require.NoError(t, err)
	cases := make([]verdictCase, 0, len(docs))
	seen := map[string]bool{}
	for _, d := range docs {
		m, err := crdvalidate.DecodeJSON(d)
		require.NoError(t, err, file)
		c := verdictCase{Object: map[string]any{}}
		c.Case, _ = m["case"].(string)
		c.Expect, _ = m["expect"].(string)
		if o, ok := m["object"].(map[string]any); ok {
			c.Object = o
		}
		require.NotEmpty(t, c.Case, "%s: a case without a name", file)
		require.False(t, seen[c.Case], "%s: duplicate case %q", file, c.Case)
		seen[c.Case] = true
		cases = append(cases, c)
	}
	return cases
}

// errorPaths and violationPaths list the distinct field paths of the two sides' reports.
func errorPaths(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		if !slices.Contains(out, e.Field) {
			out = append(out, e.Field)
		}
	}
	return out
}

func violationPaths(vs []schema.Violation) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v.Path) {
			out = append(out, v.Path)
		}
	}
	return out
}
