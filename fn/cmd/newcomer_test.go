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

// Every failure a newcomer meets first says, at the user's field, how to fix it.
func TestMessagesSayHowToFix(t *testing.T) {
	const cluster = `apiVersion: v1
kind: Service
metadata: {name: other, namespace: demo}
spec: {selector: {app: other}, ports: [{port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec: {servers: [{hosts: ["*.example.com"], port: {number: 443, name: https, protocol: HTTPS}}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal, namespace: team}
spec: {servers: [{hosts: ["*.a.example.com", "*.b.example.com"], port: {number: 443, name: https, protocol: HTTPS}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: demo, annotations: {config.kubernetes.io/path: legacy/vs.yaml}}
spec: {hosts: [taken.example.com], gateways: [kyma-system/kyma-gateway]}
`
	v1alpha1 := func(name, host string) string {
		return `apiVersion: gateway.kyma-project.io/v1alpha1
kind: APIRule
metadata: {name: ` + name + `, namespace: demo}
spec:
  gateway: kyma-gateway.kyma-system.svc.cluster.local
  service: {name: other, port: 80, host: ` + host + `}
  rules: [{path: /.*, methods: [GET], accessStrategies: [{handler: noop}]}]
`
	}
	v2 := func(name, host, gateway, service, rules string) string {
		return `apiVersion: gateway.kyma-project.io/v2
kind: APIRule
metadata: {name: ` + name + `, namespace: demo}
spec:
  hosts: [` + host + `]
  gateway: ` + gateway + `
  service: {name: ` + service + `, port: 80}
  rules: ` + rules + `
`
	}
	noAuth := "[{path: /a, methods: [GET], noAuth: true}]"
	withoutKymaGateway := strings.Replace(cluster, "name: kyma-gateway, namespace: kyma-system", "name: other-gateway, namespace: kyma-system", 1)
	bare := "apiVersion: apirule.krm.dev/v1alpha1\nkind: APIRuleTransformer\nmetadata: {name: c}\n"
	tests := []struct {
		name, input string
		want        []string // stderr lines
	}{
		{"v1alpha1: the field as written", stream(cluster, v1alpha1("alpha", "taken.example.com")), []string{
			"error: APIRule demo/alpha spec.host: at spec.service.host of this v1alpha1 APIRule: This host is occupied by another Virtual Service: " +
				"VirtualService demo/legacy of the input in legacy/vs.yaml serves taken.example.com"}},
		{"short host without a domain", stream(bare, withoutKymaGateway, v1alpha1("short", "short")), []string{
			"error: APIRule demo/short spec.host: at spec.service.host of this v1alpha1 APIRule: Host does not contain a domain name and no default domain name is configured: " +
				`write the full host, or set defaultDomain (or gateways["kyma-system/kyma-gateway"]: <domain>) in the function config, or add the Gateway kyma-system/kyma-gateway to the input`}},
		{"v2 short host, Gateway with two hosts", stream(cluster, v2("multi", "short", "team/internal", "other", noAuth)), []string{
			"error: APIRule demo/multi spec.hosts[0]: Lowercase RFC 1123 label (short host) is only supported as the APIRule host when selected Gateway has a single host definition matching *.<fqdn> format: " +
				"Gateway team/internal in the input has the hosts [*.a.example.com, *.b.example.com]; write the full host instead"}},
		{"Gateway not found", stream(cluster, v2("nogw", "short", "team/missing", "other", noAuth)), []string{
			"error: APIRule demo/nogw spec.gateway: Could not get specified Gateway: Gateway team/missing is neither in the input nor in gateways of the function config " +
				`(known Gateways: kyma-system/kyma-gateway, team/internal); add it to the input or set gateways["team/missing"] (its domain)`}},
		{"occupied host, by an earlier APIRule", stream(cluster,
			strings.Replace(v2("first", "same.example.com", "kyma-system/kyma-gateway", "other", noAuth), "namespace: demo}", "namespace: demo, annotations: {config.kubernetes.io/path: a.yaml}}", 1),
			v2("second", "same.example.com", "kyma-system/kyma-gateway", "other", noAuth)), []string{
			"error: APIRule demo/second spec.hosts[0]: Host is occupied by another Virtual Service: APIRule demo/first (its VirtualService demo/first-",
			") in a.yaml serves same.example.com\n"}},
		{"missing Service: the hint once", stream(cluster, v2("nosvc", "nosvc.example.com", "kyma-system/kyma-gateway", "ghost",
			"[{path: /a, methods: [GET], noAuth: true}, {path: /b, methods: [GET], noAuth: true}]")), []string{
			`error: APIRule demo/nosvc spec.rules[0]: Failed to execute sidecar injection validation, err: services "ghost" not found: ` +
				`add the Service demo/ghost to the input or set serviceSelectors["demo/ghost"] in the function config`,
			`error: APIRule demo/nosvc spec.rules[1]: Failed to execute sidecar injection validation, err: services "ghost" not found: as at spec.rules[0]`}},
		{"extAuth without the mesh ConfigMap", stream(cluster, v2("ext", "ext.example.com", "kyma-system/kyma-gateway", "other",
			"[{path: /a, methods: [GET], extAuth: {authorizers: [oauth2-proxy]}}]")), []string{
			"error: APIRule demo/ext spec.rules[0].extAuth: Failed to get Istio ConfigMap: the input has no ConfigMap istio-system/istio: add it, " +
				"or list the mesh's envoyExtAuthzHttp providers in extAuthProviders in the function config (extAuthProviders: [oauth2-proxy])"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.input
			if !strings.HasPrefix(input, bare) {
				input = stream(transformer, input)
			}
			_, stderr, code := runFn([]byte(input))
			assert.Equal(t, 1, code)
			for i, w := range tt.want {
				if i == 0 {
					w = "apirule-fn: " + w
				}
				assert.Contains(t, string(stderr), w)
			}
		})
	}
	t.Run("extAuthProviders that leave the authorizer out", func(t *testing.T) {
		cfg := strings.Replace(transformer, "spec: {", "spec: {extAuthProviders: [other], ", 1)
		_, stderr, code := runFn([]byte(stream(cfg, cluster, v2("ext", "ext.example.com", "kyma-system/kyma-gateway", "other",
			"[{path: /a, methods: [GET], extAuth: {authorizers: [oauth2-proxy]}}]"))))
		assert.Equal(t, 1, code)
		assert.Contains(t, string(stderr), "apirule-fn: error: APIRule demo/ext spec.rules[0].extAuth.externalAuthorizers.oauth2-proxy: "+
			"Authorizer not found in Istio ConfigMap mesh data: extAuthProviders in the function config lists [other], not oauth2-proxy")
	})
}
