package processor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestPrune: class 7 of the security review. Only what the digest proves generated
// is removed; an edited or hand-written object with the annotation stays and fails
// the run, naming it; removing an object whose APIRule is gone is an info.
func TestPrune(t *testing.T) {
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: httpbin, namespace: demo}\nspec: {selector: {app: httpbin}}\n"
	apiRule := v1beta1Rule("httpbin", "httpbin.example.com", "/a")
	first, _ := process(t, resourceList("", apiRule, svc))
	generated := parseItems(t, first)[1:3] // the VirtualService and the Rule
	require.Equal(t, "VirtualService", generated[0].GetKind())
	vs := func(edit func(*yaml.RNode)) string {
		c := generated[0].Copy()
		if edit != nil {
			edit(c)
		}
		s, err := c.String()
		require.NoError(t, err)
		return s
	}
	tests := []struct {
		name  string
		items []string
		// kept: kinds/names of the items that must stay; errs and infos: substrings.
		kept        []string
		errs, infos []string
	}{
		{name: "unchanged: removed and generated again", items: []string{apiRule, svc, vs(nil)},
			kept: []string{"APIRule/httpbin", "VirtualService/" + generated[0].GetName(), "Rule/" + generated[1].GetName(), "Service/httpbin"}},
		{name: "moved to another namespace by an overlay: still recognised", items: []string{apiRule, svc, vs(func(n *yaml.RNode) { _ = n.SetNamespace("staging") })},
			kept: []string{"APIRule/httpbin", "VirtualService/" + generated[0].GetName(), "Rule/" + generated[1].GetName(), "Service/httpbin"}},
		{name: "orphan: its APIRule is gone, removed with an info", items: []string{svc, vs(nil)},
			kept: []string{"Service/httpbin"}, infos: []string{"removed VirtualService demo/" + generated[0].GetName() + ": it was generated for APIRule demo/httpbin, which is no longer in the input"}},
		{name: "edited spec: kept, and an error names it", items: []string{svc, vs(func(n *yaml.RNode) {
			require.NoError(t, n.PipeE(yaml.Lookup("spec", "hosts"), yaml.Append(&yaml.Node{Kind: yaml.ScalarNode, Value: "evil.example.com"})))
		})},
			kept: []string{"Service/httpbin", "VirtualService/" + generated[0].GetName()},
			errs: []string{"VirtualService demo/" + generated[0].GetName() + " carries apirule.krm.dev/generated-from: demo/httpbin, but its spec differs from what apirule-fn generated"}},
		{name: "hand-written, any kind: kept, and an error names it", items: []string{svc, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: demo\n  annotations: {apirule.krm.dev/generated-from: demo/httpbin}\ndata: {a: b}\n"},
			kept: []string{"Service/httpbin", "ConfigMap/settings"},
			errs: []string{"ConfigMap demo/settings carries apirule.krm.dev/generated-from: demo/httpbin, but it has no apirule.krm.dev/digest annotation"}},
		{name: "near miss: without the annotation, untouched", items: []string{svc, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: demo}\ndata: {a: b}\n"},
			kept: []string{"Service/httpbin", "ConfigMap/settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, results := process(t, resourceList(cfgKeep, tt.items...))
			var kept []string
			for _, it := range parseItems(t, out) {
				kept = append(kept, it.GetKind()+"/"+it.GetName())
			}
			assert.ElementsMatch(t, tt.kept, kept)
			assertMessages(t, tt.errs, results, framework.Error)
			var infos framework.Results
			for _, r := range results {
				if strings.HasPrefix(r.Message, "removed ") {
					infos = append(infos, r)
				}
			}
			assertMessages(t, tt.infos, infos, framework.Info)
		})
	}
}

// assertMessages checks that the results of severity sev are exactly one per want,
// each containing it.
func assertMessages(t *testing.T, want []string, results framework.Results, sev framework.Severity) {
	t.Helper()
	var got []string
	for _, r := range results {
		if r.Severity == sev {
			got = append(got, r.Message)
		}
	}
	require.Len(t, got, len(want), "%v", got)
	for i := range want {
		assert.Contains(t, got[i], want[i])
	}
}
