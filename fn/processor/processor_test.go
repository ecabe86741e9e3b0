package processor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/krmio"
)

// process runs the processor over a ResourceList text and returns the output text.
func process(t *testing.T, rl string) (string, framework.Results) {
	t.Helper()
	in, err := krmio.Parse([]byte(rl))
	require.NoError(t, err)
	items, problems := CheckItems(in.Items)
	require.Empty(t, problems)
	list := &framework.ResourceList{Items: items}
	if in.FunctionConfig != nil {
		list.FunctionConfig = yaml.NewRNode(in.FunctionConfig)
	}
	_ = (&Processor{}).Process(list)
	var b bytes.Buffer
	require.NoError(t, krmio.Write(&b, &krmio.Output{Wrapped: true, APIVersion: in.APIVersion, Items: list.Items,
		FunctionConfig: in.FunctionConfig, Results: list.Results}))
	return b.String(), list.Results
}

func resourceList(config string, items ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		for i, line := range strings.Split(strings.TrimRight(it, "\n"), "\n") {
			if i == 0 {
				b.WriteString("- " + line + "\n")
			} else {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	if config != "" {
		b.WriteString("functionConfig:\n")
		for _, line := range strings.Split(strings.TrimRight(config, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

func v1beta1Rule(name, host, path string, extraMeta ...string) string {
	return `apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata:
  name: ` + name + `
  namespace: demo
` + strings.Join(extraMeta, "") + `spec:
  host: ` + host + `
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
  rules:
  - path: ` + path + `
    methods: [GET]
    accessStrategies:
    - handler: noop
`
}

const cfgKeep = "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\nspec: {apiRules: keep}\n"

func errorsOf(rs framework.Results) []string {
	var out []string
	for _, r := range rs {
		if r.Severity == framework.Error {
			s := r.Message
			if r.ResourceRef != nil {
				s = r.ResourceRef.Name + " " + s
			}
			if r.Field != nil {
				s = r.Field.Path + ": " + s
			}
			out = append(out, s)
		}
	}
	return out
}

func TestPathAnnotationsPlaceObjectsInTheAPIRuleFile(t *testing.T) {
	pathed := "  annotations:\n    internal.config.kubernetes.io/path: apis/httpbin.yaml\n    internal.config.kubernetes.io/index: '0'\n"
	svc := "apiVersion: v1\nkind: Service\nmetadata:\n  name: httpbin\n  namespace: demo\n  annotations:\n    internal.config.kubernetes.io/path: apis/httpbin.yaml\n    internal.config.kubernetes.io/index: '1'\nspec: {selector: {app: httpbin}}\n"
	in := resourceList("", v1beta1Rule("httpbin", "httpbin.example.com", "/a", pathed), svc)
	out, results := process(t, in)
	require.Empty(t, errorsOf(results))

	items := parseItems(t, out)
	require.Len(t, items, 4, "APIRule, its VirtualService and Rule, Service")
	assert.Equal(t, "APIRule", items[0].GetKind())
	assert.Equal(t, "VirtualService", items[1].GetKind(), "generated objects come right after their APIRule")
	assert.Equal(t, "Rule", items[2].GetKind())
	assert.Equal(t, "Service", items[3].GetKind())
	seen := map[string]bool{}
	for _, it := range items {
		a := it.GetAnnotations()
		assert.Equal(t, "apis/httpbin.yaml", a["internal.config.kubernetes.io/path"])
		idx := a["internal.config.kubernetes.io/index"]
		assert.False(t, seen[idx], "index %s used twice", idx)
		seen[idx] = true
	}
	assert.Equal(t, "2", items[1].GetAnnotations()["internal.config.kubernetes.io/index"])
	assert.Equal(t, "3", items[2].GetAnnotations()["internal.config.kubernetes.io/index"])

	again, _ := process(t, out)
	assert.Equal(t, out, again, "a second run changes nothing")
}

func parseItems(t *testing.T, rl string) []*yaml.RNode {
	t.Helper()
	n, err := yaml.Parse(rl)
	require.NoError(t, err)
	items, err := n.Field("items").Value.Elements()
	require.NoError(t, err)
	return items
}

func TestConflictsAreReportedOnTheRightAPIRule(t *testing.T) {
	foreign := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: legacy, namespace: other}\nspec: {hosts: [taken.example.com]}\n"
	tests := []struct {
		name  string
		items []string
		want  []string
	}{
		{"two APIRules claim one host: the later fails",
			[]string{v1beta1Rule("first", "same.example.com", "/a"), v1beta1Rule("second", "same.example.com", "/b")},
			[]string{"spec.host: second This host is occupied by another Virtual Service: APIRule demo/first (its VirtualService demo/first-46e4fb208d) serves same.example.com"}},
		{"a VirtualService in the input serves the host",
			[]string{foreign, v1beta1Rule("api", "taken.example.com", "/a")},
			[]string{"spec.host: api This host is occupied by another Virtual Service: VirtualService other/legacy of the input serves taken.example.com"}},
		{"duplicate APIRule identity",
			[]string{v1beta1Rule("api", "a.example.com", "/a"), v1beta1Rule("api", "b.example.com", "/b")},
			[]string{"metadata.name: api duplicate APIRule demo/api: an earlier item has the same namespace and name"}},
		{"unknown APIRule version is an error, not a pass-through",
			[]string{strings.Replace(v1beta1Rule("api", "a.example.com", "/a"), "v1beta1", "v3", 1)},
			[]string{`apiVersion: api unsupported APIRule version "gateway.kyma-project.io/v3": supported are v2, v2alpha1, v1beta1, v1alpha1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, results := process(t, resourceList(cfgKeep, tt.items...))
			assert.Equal(t, tt.want, errorsOf(results))
		})
	}
}

func TestUserObjectWithAGeneratedNameIsAnErrorNotAnOverwrite(t *testing.T) {
	out, _ := process(t, resourceList(cfgKeep, v1beta1Rule("api", "a.example.com", "/a")))
	var vsName string
	for _, it := range parseItems(t, out) {
		if it.GetKind() == "VirtualService" {
			vsName = it.GetName()
		}
	}
	require.NotEmpty(t, vsName)
	user := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + vsName + ", namespace: demo}\nspec: {hosts: [mine.example.com]}\n"
	out, results := process(t, resourceList(cfgKeep, user, v1beta1Rule("api", "a.example.com", "/a")))
	require.Len(t, errorsOf(results), 1)
	assert.Contains(t, errorsOf(results)[0], "would replace an item of the input that apirule-fn did not generate")
	assert.Contains(t, out, "mine.example.com", "the user's object is kept")
	assert.Equal(t, 1, strings.Count(out, "kind: VirtualService"))
}

func TestAPIRulesLocalKeepAndValidateMode(t *testing.T) {
	rule := v1beta1Rule("api", "a.example.com", "/a")
	cfg := func(spec string) string {
		return "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\nspec: " + spec + "\n"
	}
	t.Run("local marks the APIRule", func(t *testing.T) {
		out, _ := process(t, resourceList(cfg("{}"), rule))
		assert.Equal(t, "true", parseItems(t, out)[0].GetAnnotations()[LocalConfigAnnotation])
	})
	t.Run("keep leaves it untouched", func(t *testing.T) {
		out, _ := process(t, resourceList(cfg("{apiRules: keep}"), rule))
		assert.NotContains(t, parseItems(t, out)[0].MustString(), LocalConfigAnnotation)
	})
	t.Run("validate generates nothing and changes nothing", func(t *testing.T) {
		in := resourceList(cfg("{mode: validate}"), rule)
		out, results := process(t, in)
		assert.Len(t, parseItems(t, out), 1)
		assert.NotContains(t, out, LocalConfigAnnotation)
		assert.Empty(t, errorsOf(results))
		assert.Contains(t, results[len(results)-1].Message, "mode: validate")
	})
	t.Run("validate still reports failures", func(t *testing.T) {
		_, results := process(t, resourceList(cfg("{mode: validate}"), v1beta1Rule("a", "x.example.com", "/a"), v1beta1Rule("b", "x.example.com", "/b")))
		assert.Len(t, errorsOf(results), 1)
	})
}

func TestCommentsAndFieldOrderOfUntouchedItemsSurvive(t *testing.T) {
	svc := "# the httpbin Service\napiVersion: v1\nkind: Service\nmetadata:\n  namespace: demo # where it runs\n  name: httpbin\nspec:\n  ports: [{port: 8000}]\n  selector: {app: httpbin}\n"
	out, _ := process(t, resourceList(cfgKeep, svc, v1beta1Rule("api", "a.example.com", "/a")))
	assert.Contains(t, out, "# the httpbin Service")
	assert.Contains(t, out, "namespace: demo # where it runs\n    name: httpbin", "field order kept")
}

// TestPartialApplyOccupiesTheHost reproduces the controller's partial apply: under
// the Istio handler a missing Service fails the APIRule after its VirtualService was
// applied, so a later APIRule for the same host finds it occupied.
func TestPartialApplyOccupiesTheHost(t *testing.T) {
	cfg := "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\nspec: {jwtHandler: istio, apiRules: keep}\n"
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: demo}\nspec: {selector: {app: other}}\n"
	first := strings.Replace(v1beta1Rule("first", "same.example.com", "/a"), "handler: noop", "handler: no_auth", 1)
	second := strings.Replace(strings.Replace(v1beta1Rule("second", "same.example.com", "/b"), "httpbin", "other", 1), "handler: noop", "handler: no_auth", 1)
	out, results := process(t, resourceList(cfg, svc, first, second))
	assert.Equal(t, []string{
		`first services "httpbin" not found: add the Service demo/httpbin to the input or set serviceSelectors["demo/httpbin"] in the function config`,
		"spec.host: second This host is occupied by another Virtual Service: APIRule demo/first serves same.example.com",
	}, errorsOf(results))
	assert.NotContains(t, out, "kind: VirtualService", "the partly applied VirtualService is not emitted")
}

// TestNamesSurviveUnrelatedEdits adds a rule in front of the others: the objects of
// the rules that did not change keep their names, so a diff shows only what changed.
func TestNamesSurviveUnrelatedEdits(t *testing.T) {
	gw := "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: demo}\nspec: {servers: [{hosts: ['*.example.com'], port: {protocol: HTTPS}}]}\n"
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: httpbin, namespace: demo}\nspec: {selector: {app: httpbin}}\n"
	rule := func(extra string) string {
		return `apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: api, namespace: demo}
spec:
  hosts: [api.example.com]
  gateway: demo/gw
  service: {name: httpbin, port: 8000}
  rules:
` + extra + `  - path: /orders
    methods: [GET]
    jwt:
      authentications: [{issuer: https://idp.example.com, jwksUri: https://idp.example.com/keys}]
      authorizations: [{audiences: [orders]}]
  - path: /health
    methods: [GET]
    noAuth: true
`
	}
	names := func(rl string) map[string]bool {
		out, results := process(t, resourceList(cfgKeep, gw, svc, rl))
		require.Empty(t, errorsOf(results))
		got := map[string]bool{}
		for _, it := range parseItems(t, out) {
			if it.GetAnnotations()[OwnerAnnotation] != "" {
				got[it.GetKind()+"/"+it.GetName()] = true
			}
		}
		return got
	}
	before := names(rule(""))
	after := names(rule("  - path: /new\n    methods: [POST]\n    noAuth: true\n"))
	require.Len(t, before, 4, "VirtualService, two AuthorizationPolicies, RequestAuthentication")
	for n := range before {
		assert.True(t, after[n], "%s kept its name", n)
	}
	assert.Len(t, after, 5, "one new AuthorizationPolicy")
}

// TestInputLimits: the config can lower the byte limit; without it only the reader's
// limit applies, so APIRULE_FN_MAX_INPUT_BYTES alone can raise it.
func TestInputLimits(t *testing.T) {
	cfg := func(spec string) *yaml.RNode {
		return yaml.MustParse("apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\nspec: " + spec + "\n")
	}
	_, refused := loadConfig(nil, 100<<20, 10)
	assert.Nil(t, refused, "no config limit: the reader decided already")
	_, refused = loadConfig(cfg("{maxInputBytes: 1000}"), 1001, 10)
	require.Len(t, refused, 1)
	assert.Equal(t, "input too large: 1001 bytes exceed maxInputBytes 1000", refused[0].Message)
	_, refused = loadConfig(cfg("{maxItems: 5}"), 10, 6)
	require.Len(t, refused, 1)
	assert.Contains(t, refused[0].Message, "6 items exceed maxItems 5")
}

// TestSidecarInjectionWithPodsInTheInput: when the input carries Pods, the
// controller's sidecar-injection check applies to them, one failure per Pod.
func TestSidecarInjectionWithPodsInTheInput(t *testing.T) {
	pod := func(name, container string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: demo, labels: {app: httpbin}}\nspec: {containers: [{name: app}, {name: " + container + "}]}\n"
	}
	gw := "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: demo}\nspec: {servers: [{hosts: ['*.example.com'], port: {protocol: HTTPS}}]}\n"
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: httpbin, namespace: demo}\nspec: {selector: {app: httpbin}}\n"
	v2 := "apiVersion: gateway.kyma-project.io/v2\nkind: APIRule\nmetadata: {name: v2, namespace: demo}\nspec:\n  hosts: [v2.example.com]\n  gateway: demo/gw\n  service: {name: httpbin, port: 8000}\n  rules: [{path: /a, methods: [GET], noAuth: true}]\n"
	v1 := `apiVersion: gateway.kyma-project.io/v1beta1
kind: APIRule
metadata: {name: v1, namespace: demo}
spec:
  host: v1.example.com
  gateway: demo/gw
  service: {name: httpbin, port: 8000}
  rules:
  - path: /a
    methods: [GET]
    accessStrategies: [{handler: jwt, config: {authentications: [{issuer: "https://i.example.com", jwksUri: "https://i.example.com/k"}]}}]
`
	cfg := "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\nspec: {jwtHandler: istio, apiRules: keep}\n"
	_, results := process(t, resourceList(cfg, gw, svc, pod("injected", "istio-proxy"), pod("bare", "other"), v2, v1))
	assert.Equal(t, []string{
		"spec.rules[0]: v2 Pod demo/bare does not have an injected istio sidecar",
		"spec.rules[0].accessStrategies[0].injection: v1 Pod demo/bare does not have an injected istio sidecar",
	}, errorsOf(results))
}
