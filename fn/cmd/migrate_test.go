package cmd

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/migrate"
)

// withMode returns the case's config with mode set.
func withMode(t *testing.T, cfg *yaml.Node, mode string) *yaml.Node {
	t.Helper()
	c := yaml.CopyYNode(cfg)
	spec := yaml.NewRNode(c).Field("spec")
	require.NotNil(t, spec)
	require.NoError(t, spec.Value.PipeE(yaml.SetField("mode", yaml.NewStringRNode(mode))))
	return c
}

func runCase(t *testing.T, items []*yaml.Node, cfg *yaml.Node) output {
	t.Helper()
	c := conformanceCase{resources: items, config: cfg}
	stdout, stderr, _ := runFn(c.resourceList(t))
	var out output
	require.NoError(t, yaml.Unmarshal(stdout, &out), "stderr: %s", stderr)
	return out
}

func toNodes(t *testing.T, items []map[string]any) []*yaml.Node {
	t.Helper()
	var out []*yaml.Node
	for _, it := range items {
		var n yaml.Node
		b, err := yaml.Marshal(it)
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(b, &n))
		out = append(out, n.Content[0])
	}
	return out
}

func ref(o map[string]any) string {
	md, _ := o["metadata"].(map[string]any)
	return fmt.Sprintf("%v/%v", md["namespace"], md["name"])
}

// blockerReason groups "not migrated" messages into reasons for the counts.
var blockerReasons = []struct{ name, pattern string }{
	{"old APIRule fails", `fails as v1`},
	{"regex path", `regex path|as a regex "/\*"`},
	{"handler asks an outside server (extAuth needed)", `asks an outside server`},
	{"unauthorized handler", `unauthorized refuses`},
	{"unknown handler", `has no v2 equivalent`},
	{"several access strategies", `access strategies: v2 has exactly one`},
	{"issuer needed (issuers)", `set issuers:|trusted_issuers does not list`},
	{"no JWKS URL", `add jwks_urls`},
	{"one JWKS URL per issuer", `one per issuer`},
	{"mutator needs Oathkeeper", `needs Oathkeeper|is a template`},
	{"gateway", `has no namespace/name form`},
	{"CORS maxAge", `whole number of seconds`},
	{"API server conversion drops rules", `conversion|carries no rule`},
	{"v2 form refused", `the v2 form would fail`},
}

func reasonOf(msg string) string {
	for _, r := range blockerReasons {
		if regexp.MustCompile(r.pattern).MatchString(msg) {
			return r.name
		}
	}
	return "other: " + msg
}

// TestMigrateConformance migrates every v1alpha1/v1beta1 APIRule of the
// conformance cases. Each either becomes v2, and then renders (the v2 CRD check
// included) without an error, or stays as it is with a warning per blocking field.
// Every migrated APIRule is then compared with its old rendering over the request
// table of its rules, independently of the function: a difference must be
// reported on that rule, and a rule without difference must have no report.
// Run with -v for the counts by reason.
func TestMigrateConformance(t *testing.T) {
	var migrated, left int
	reasons, firstReasons := map[string]int{}, map[string]int{}
	var diffRules, sameRules int
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			before := runCase(t, c.resources, withMode(t, c.config, "render"))
			out := runCase(t, c.resources, withMode(t, c.config, "migrate"))
			old := map[string]map[string]any{}
			for _, it := range c.resources {
				var m map[string]any
				require.NoError(t, it.Decode(&m))
				if av, _ := m["apiVersion"].(string); m["kind"] == "APIRule" && (strings.HasSuffix(av, "/v1beta1") || strings.HasSuffix(av, "/v1alpha1")) {
					old[ref(m)] = m
				}
			}
			warnings := map[string][]string{}
			for _, r := range out.Results {
				if r.Severity == "warning" || r.Severity == "error" {
					key := r.ResourceRef.Namespace + "/" + r.ResourceRef.Name
					warnings[key] = append(warnings[key], r.Field.Path+"\x00"+r.Message)
				}
			}
			done := map[string]bool{}
			for _, it := range out.Items {
				if it["kind"] != "APIRule" || old[ref(it)] == nil {
					continue
				}
				if it["apiVersion"] == apirule.Group+"/"+apirule.V2 {
					done[ref(it)] = true
					migrated++
					continue
				}
				left++
				var blockers int
				for _, w := range warnings[ref(it)] {
					path, msg, _ := strings.Cut(w, "\x00")
					if m, ok := strings.CutPrefix(msg, "not migrated to v2: "); ok {
						if blockers == 0 {
							firstReasons[reasonOf(m)]++
						}
						blockers++
						reasons[reasonOf(m)]++
						assert.True(t, path != "" || strings.Contains(m, "fails as"), "blocker without field path: %s", m)
					}
				}
				assert.NotZero(t, blockers, "%s left unchanged without a reason: %v", ref(it), warnings[ref(it)])
			}
			if len(done) == 0 {
				return
			}
			after := runCase(t, toNodes(t, out.Items), withMode(t, c.config, "render"))
			for _, r := range after.Results {
				key := r.ResourceRef.Namespace + "/" + r.ResourceRef.Name
				if done[key] {
					assert.NotEqual(t, "error", r.Severity, "migrated %s fails: %s %s", key, r.Field.Path, r.Message)
				}
			}
			for key := range done {
				d, s := checkComparison(t, key, before, after, out, warnings[key])
				diffRules, sameRules = diffRules+d, sameRules+s
			}
		})
	}
	var names []string
	for n := range reasons {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "migrated %d, left unchanged %d; rules compared: %d with reported differences, %d the same\nblocking fields by reason:\n", migrated, left, diffRules, sameRules)
	for _, n := range names {
		fmt.Fprintf(&b, "  %4d  %s\n", reasons[n], n)
	}
	b.WriteString("APIRules left unchanged, by their first blocking field:\n")
	for _, n := range names {
		if firstReasons[n] > 0 {
			fmt.Fprintf(&b, "  %4d  %s\n", firstReasons[n], n)
		}
	}
	t.Log(b.String())
}

// meshFor builds a Mesh from the objects generated for APIRule key.
func meshFor(t *testing.T, out output, key string) *access.Mesh {
	t.Helper()
	var objs []map[string]any
	for _, it := range out.Items {
		if annotation(it, "apirule.krm.dev/generated-from") == key {
			objs = append(objs, it)
		}
	}
	m := access.New()
	m.Selector = selectors(out)
	for _, n := range toNodes(t, objs) {
		rn := yaml.NewRNode(n)
		var spec *yaml.Node
		if f := rn.Field("spec"); f != nil {
			spec = f.Value.YNode()
		}
		require.NoError(t, m.Add(rn.GetApiVersion(), rn.GetKind(), rn.GetNamespace(), rn.GetName(), spec))
	}
	return m
}

// selectors looks Services up among the items, and otherwise assumes {app: name}
// as the function does.
func selectors(out output) func(ns, name string) (map[string]string, bool) {
	return func(ns, name string) (map[string]string, bool) {
		for _, it := range out.Items {
			if it["kind"] == "Service" && ref(it) == ns+"/"+name {
				spec, _ := it["spec"].(map[string]any)
				sel := map[string]string{}
				if s, ok := spec["selector"].(map[string]any); ok {
					for k, v := range s {
						sel[k] = fmt.Sprint(v)
					}
				}
				return sel, true
			}
		}
		return nil, false
	}
}

// checkComparison evaluates the request table of each rule of the migrated
// APIRule key on the objects before and after, and checks that exactly the rules
// with a difference carry an "access changes" warning. It returns the numbers of
// rules with and without difference.
func checkComparison(t *testing.T, key string, before, after, migrated output, warnings []string) (int, int) {
	t.Helper()
	var v2 apirule.V2APIRule
	var hosts []string
	for _, it := range migrated.Items {
		if it["kind"] == "APIRule" && ref(it) == key {
			require.NoError(t, apirule.Decode(it, &v2))
		}
	}
	for _, it := range before.Items {
		if it["kind"] == "VirtualService" && annotation(it, "apirule.krm.dev/generated-from") == key {
			spec, _ := it["spec"].(map[string]any)
			for _, h := range spec["hosts"].([]any) {
				hosts = append(hosts, fmt.Sprint(h))
			}
		}
	}
	require.NotEmpty(t, hosts, "no VirtualService rendered for %s before migration", key)
	keys := map[string]string{}
	for _, r := range v2.Spec.Rules {
		if r.JWT != nil {
			for _, a := range r.JWT.Authentications {
				keys[a.JwksURI] = a.Issuer
			}
		}
	}
	old, updated := meshFor(t, before, key), meshFor(t, after, key)
	old.JWKSIssuers, updated.JWKSIssuers = keys, keys
	host := strings.Replace(hosts[0], "*", "any", 1)
	var diff, same int
	for i, r := range v2.Spec.Rules {
		path := fmt.Sprintf("spec.rules[%d]", i)
		differs := false
		for _, req := range migrate.Requests(host, r) {
			a, b := old.Evaluate(req), updated.Evaluate(req)
			if a.Outcome != b.Outcome && !(refused(a) && refused(b)) || a.Outcome == b.Outcome && a.Outcome == access.Allowed && a.Service != b.Service {
				differs = true
				break
			}
		}
		reported := false
		for _, w := range warnings {
			p, msg, _ := strings.Cut(w, "\x00")
			if p == path && strings.HasPrefix(msg, "access changes with the v2 form") {
				reported = true
			}
		}
		assert.Equal(t, differs, reported, "%s %s: difference found %v, reported %v", key, path, differs, reported)
		if differs {
			diff++
		} else {
			same++
		}
	}
	return diff, same
}

func refused(d access.Decision) bool {
	return d.Outcome == access.Unauthenticated || d.Outcome == access.Denied
}
