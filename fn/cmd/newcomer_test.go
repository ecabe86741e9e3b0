package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// What a newcomer runs into first: near-misses that would pass in silence, the
// render report, and output safe to pipe into kubectl apply.

const (
	service = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: demo}
spec: {selector: {app: httpbin}, ports: [{port: 8000}]}
`
	v2APIRule = `apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: httpbin, namespace: demo}
spec:
  hosts: [httpbin.example.com]
  gateway: kyma-system/kyma-gateway
  service: {name: httpbin, port: 8000}
  rules: [{path: /get, methods: [GET], noAuth: true}]
`
	transformer = `apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata: {name: apirule-fn}
spec: {gateways: {kyma-system/kyma-gateway: example.com}}
`
	localTransformer = `apiVersion: apirule.krm.dev/v1alpha1
kind: APIRuleTransformer
metadata: {name: apirule-fn, annotations: {config.kubernetes.io/local-config: "true"}}
spec: {gateways: {kyma-system/kyma-gateway: example.com}}
`
)

// stream joins documents into a multi-document stream.
func stream(docs ...string) string { return strings.Join(docs, "---\n") }

func resultsOf(t *testing.T, stdout []byte) []outResult {
	t.Helper()
	var out struct {
		Kind    string      `yaml:"kind"`
		Results []outResult `yaml:"results"`
	}
	require.NoError(t, yaml.Unmarshal(stdout, &out), "%s", stdout)
	require.Equal(t, "ResourceList", out.Kind, "%s", stdout)
	return out.Results
}

type outResult struct {
	Message     string `yaml:"message"`
	Severity    string `yaml:"severity"`
	ResourceRef struct {
		Kind string `yaml:"kind"`
		Name string `yaml:"name"`
	} `yaml:"resourceRef"`
	Field struct {
		Path string `yaml:"path"`
	} `yaml:"field"`
}

func TestNearMisses(t *testing.T) {
	tests := []struct {
		name  string
		input string
		code  int
		// want is the result "<severity> <kind> <field>: <message part>".
		want string
	}{
		{"kind ApiRule", wrap(stream(service, strings.Replace(v2APIRule, "kind: APIRule", "kind: ApiRule", 1)), transformer), 1,
			`error ApiRule kind: not rendered: kind "ApiRule" is not "APIRule"`},
		{"kind apirules", wrap(stream(service, strings.Replace(v2APIRule, "kind: APIRule", "kind: apirules", 1)), transformer), 1,
			`error apirules kind: not rendered: kind "apirules" is not "APIRule"`},
		{"group gateway.kyma.project.io", wrap(stream(service, strings.Replace(v2APIRule, "kyma-project", "kyma.project", 1)), transformer), 1,
			`error APIRule apiVersion: not rendered: apiVersion "gateway.kyma.project.io/v2" is not an APIRule version: the group is gateway.kyma-project.io (apiVersion gateway.kyma-project.io/v2)`},
		{"group gateway.kyma-projects.io", wrap(stream(service, strings.Replace(v2APIRule, "kyma-project", "kyma-projects", 1)), transformer), 1,
			`error APIRule apiVersion: not rendered: apiVersion "gateway.kyma-projects.io/v2"`},
		{"no group", wrap(stream(service, strings.Replace(v2APIRule, "gateway.kyma-project.io/v2", "v2", 1)), transformer), 1,
			`error APIRule apiVersion: not rendered: apiVersion "v2" is not an APIRule version`},
		{"the config under resources:", wrap(stream(service, v2APIRule, transformer), transformer), 1,
			"error APIRuleTransformer kind: the function config is among the resources and would be applied to the cluster, which has no APIRuleTransformer: list its file under transformers: (kustomize), not resources:"},
		{"the function under generators:", wrap(stream(localTransformer), localTransformer), 1,
			"error APIRuleTransformer : the input holds nothing but the function config: kustomize runs apirule-fn as a generator (listed under generators:), which never sees the APIRules; list it under transformers:"},
		{"a local config among the items but no functionConfig", wrap(stream(service, v2APIRule, localTransformer), ""), 0,
			"warning APIRuleTransformer : this APIRuleTransformer is not the function config, so the defaults apply"},
		{"ResourceList kind misspelt", strings.Replace(wrap(stream(service, v2APIRule), transformer), "kind: ResourceList", "kind: ResourceLsit", 1), 1,
			`error ResourceLsit kind: items[0]: kind "ResourceLsit" of config.kubernetes.io/v1 is not a ResourceList, so the input is read as a stream of objects: spell it kind: ResourceList`},
		{"ResourceList version misspelt", strings.Replace(wrap(stream(service, v2APIRule), transformer), "config.kubernetes.io/v1", "config.kubernetes.io/v2", 1), 1,
			`error ResourceList kind: items[0]: a ResourceList cannot be an item; pass its items instead (a ResourceList is read as the whole input only with apiVersion config.kubernetes.io/v1, v1beta1 or v1alpha1; this one has "config.kubernetes.io/v2")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runFn([]byte(tt.input))
			assert.Equal(t, tt.code, code, "stderr: %s", stderr)
			if len(stdout) == 0 { // read as a stream and refused: stderr only
				sev, rest, _ := strings.Cut(tt.want, " ")
				assert.Contains(t, string(stderr), "apirule-fn: "+sev+": "+rest)
				return
			}
			var got []string
			for _, r := range resultsOf(t, stdout) {
				line := r.Severity + " " + r.ResourceRef.Kind + " " + r.Field.Path + ": " + r.Message
				if strings.HasPrefix(line, tt.want) {
					return
				}
				got = append(got, line)
			}
			t.Errorf("no result starts with %q; results:\n%s", tt.want, strings.Join(got, "\n"))
		})
	}
}

// In stream mode, the near-miss goes to stderr and nothing to stdout.
func TestNearMissInStream(t *testing.T) {
	stdout, stderr, code := runFn([]byte(stream(transformer, service, strings.Replace(v2APIRule, "kind: APIRule", "kind: ApiRule", 1))))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, string(stderr), `apirule-fn: error: ApiRule demo/httpbin kind: not rendered: kind "ApiRule" is not "APIRule"`)
}

// Every rendered APIRule gets an info result listing its objects, kind and name.
func TestRenderReport(t *testing.T) {
	second := strings.NewReplacer("name: httpbin, namespace", "name: second, namespace", "httpbin.example.com", "second.example.com").Replace(v2APIRule)
	stdout, stderr, code := runFn([]byte(wrap(stream(service, v2APIRule, second), transformer)))
	require.Equal(t, 0, code, "%s", stderr)
	var infos []string
	for _, r := range resultsOf(t, stdout) {
		if r.Severity == "info" && r.ResourceRef.Kind == "APIRule" {
			infos = append(infos, r.ResourceRef.Name+": "+r.Message)
		}
	}
	assert.Equal(t, []string{
		"httpbin: rendered 2 object(s): VirtualService demo/httpbin-" + suffix(t, stdout, "VirtualService", "httpbin") +
			", AuthorizationPolicy demo/httpbin-" + suffix(t, stdout, "AuthorizationPolicy", "httpbin"),
		"second: rendered 2 object(s): VirtualService demo/second-" + suffix(t, stdout, "VirtualService", "second") +
			", AuthorizationPolicy demo/second-" + suffix(t, stdout, "AuthorizationPolicy", "second"),
	}, infos)

	// Standalone prints it only with --verbose.
	dir := t.TempDir()
	cfg, in := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "in.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(transformer), 0o600))
	require.NoError(t, os.WriteFile(in, []byte(stream(service, v2APIRule)), 0o600))
	_, stderr, code = runFn(nil, cfg, in)
	require.Equal(t, 0, code, "%s", stderr)
	assert.Empty(t, stderr)
	for _, flag := range []string{"--verbose", "-v"} {
		_, stderr, code = runFn(nil, flag, cfg, in)
		require.Equal(t, 0, code, "%s", stderr)
		assert.Regexp(t, `(?m)^apirule-fn: info: APIRule demo/httpbin rendered 2 object\(s\): VirtualService demo/httpbin-\w+, AuthorizationPolicy demo/httpbin-\w+$`, string(stderr))
		assert.Contains(t, string(stderr), "apirule-fn: info: 1 APIRule(s) rendered, 2 object(s) generated\n")
	}
}

// suffix returns the generated name suffix of the object of kind made for the APIRule name.
func suffix(t *testing.T, stdout []byte, kind, name string) string {
	t.Helper()
	var out struct {
		Items []struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		} `yaml:"items"`
	}
	require.NoError(t, yaml.Unmarshal(stdout, &out))
	for _, it := range out.Items {
		if it.Kind == kind && strings.HasPrefix(it.Metadata.Name, name+"-") {
			return strings.TrimPrefix(it.Metadata.Name, name+"-")
		}
	}
	t.Fatalf("no %s for %s", kind, name)
	return ""
}

// kinds lists the kinds of a stream's documents.
func kinds(t *testing.T, stdout []byte) []string {
	t.Helper()
	var out []string
	for _, doc := range strings.Split(string(stdout), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var m struct {
			Kind string `yaml:"kind"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
		out = append(out, m.Kind)
	}
	return out
}

func TestPipingToKubectl(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	cfg, in := write("config.yaml", transformer), write("in.yaml", stream(service, v2APIRule))
	empty := write("empty.yaml", "# defaults\n")
	bad := write("bad.yaml", stream(service, v2APIRule, strings.NewReplacer("name: httpbin,", "name: broken,", "/get", "get").Replace(v2APIRule)))

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		kinds []string
	}{
		{"standalone prints the input and the objects", []string{cfg, in}, "", 0, []string{"Service", "APIRule", "VirtualService", "AuthorizationPolicy"}},
		{"--generated-only", []string{"--generated-only", cfg, in}, "", 0, []string{"VirtualService", "AuthorizationPolicy"}},
		{"an empty config file means the defaults", []string{"--generated-only", empty, in}, "", 0, []string{"VirtualService", "AuthorizationPolicy"}},
		{"an error prints nothing", []string{cfg, bad}, "", 1, nil},
		{"an error prints nothing, --generated-only too", []string{"--generated-only", cfg, bad}, "", 1, nil},
		{"--output-on-error", []string{"--output-on-error", "--generated-only", cfg, bad}, "", 1, []string{"VirtualService", "AuthorizationPolicy"}},
		{"stream mode takes the config from the stream", []string{"--generated-only"}, stream(transformer, service, v2APIRule), 0, []string{"VirtualService", "AuthorizationPolicy"}},
		{"stream mode without --generated-only leaves the config out", nil, stream(service, transformer, v2APIRule), 0, []string{"Service", "APIRule", "VirtualService", "AuthorizationPolicy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runFn([]byte(tt.stdin), tt.args...)
			assert.Equal(t, tt.code, code, "stderr: %s", stderr)
			assert.Equal(t, tt.kinds, kinds(t, stdout))
			if tt.code != 0 {
				assert.Contains(t, string(stderr), "apirule-fn: error: APIRule demo/broken spec.rules[0].path")
			}
		})
	}

	t.Run("the stream config is read", func(t *testing.T) {
		// Without the stream's config the Gateway's domain is unknown and the short
		// host fails; with it the host is completed.
		short := strings.Replace(v2APIRule, "httpbin.example.com", "httpbin", 1)
		stdout, stderr, code := runFn([]byte(stream(transformer, service, short)), "--generated-only")
		require.Equal(t, 0, code, "%s", stderr)
		assert.Contains(t, string(stdout), "- httpbin.example.com\n")
		_, _, code = runFn([]byte(stream(service, short)))
		assert.Equal(t, 1, code)
	})
	t.Run("two configs in a stream", func(t *testing.T) {
		_, stderr, code := runFn([]byte(stream(transformer, transformer, service, v2APIRule)))
		assert.Equal(t, 1, code)
		assert.Equal(t, "apirule-fn: the stream holds more than one APIRuleTransformer document: keep one, the function config\n", string(stderr))
	})
	t.Run("piping flags on a ResourceList", func(t *testing.T) {
		_, stderr, code := runFn([]byte(wrap(stream(service, v2APIRule), transformer)), "--generated-only")
		assert.Equal(t, 2, code)
		assert.Contains(t, string(stderr), "--generated-only and --output-on-error shape standalone and stream output")
	})
}
