package cluster

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/config"
)

func view(t *testing.T, items string, cfg *config.Config) *View {
	t.Helper()
	var nodes []*yaml.RNode
	if items != "" {
		var err error
		nodes, err = (&kio.ByteReader{Reader: strings.NewReader(items), OmitReaderAnnotations: true}).Read()
		require.NoError(t, err)
	}
	if cfg == nil {
		cfg = &config.Config{}
	}
	cfg.Default()
	return New(nodes, cfg)
}

const kymaGateway = `apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ['*.local.kyma.dev']
    port: {number: 443, name: https, protocol: HTTPS}
  - hosts: ['*.local.kyma.dev']
    port: {number: 80, name: http, protocol: HTTP}
`

const httpbinService = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: demo}
spec:
  selector: {app: httpbin}
`

func TestService(t *testing.T) {
	tests := []struct {
		name         string
		items        string
		cfg          *config.Config
		ns, svc      string
		wantFound    bool
		wantSelector map[string]string
		wantAssumed  bool
	}{
		{"in the input", httpbinService, nil, "demo", "httpbin", true, map[string]string{"app": "httpbin"}, false},
		{"input has Services but not this one: missing, as in the controller", httpbinService, nil, "demo", "other", false, nil, false},
		{"from config serviceSelectors", httpbinService, &config.Config{ServiceSelectors: map[string]map[string]string{"demo/other": {"k": "v"}}},
			"demo", "other", true, map[string]string{"k": "v"}, false},
		{"no Services at all: assumed with the selector label", "", &config.Config{SelectorLabel: "app.kubernetes.io/name"},
			"demo", "web", true, map[string]string{"app.kubernetes.io/name": "web"}, true},
		{"no Services at all, strict: assumed all the same (check AF702 makes it an error)", "", &config.Config{Strict: true},
			"demo", "web", true, map[string]string{"app": "web"}, true},
		{"Service without selector", "apiVersion: v1\nkind: Service\nmetadata: {name: bare, namespace: demo}\nspec: {}\n", nil,
			"demo", "bare", true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := view(t, tt.items, tt.cfg).Service(tt.ns, tt.svc)
			assert.Equal(t, tt.wantFound, got.Found)
			assert.Equal(t, tt.wantSelector, got.Selector)
			assert.Equal(t, tt.wantAssumed, got.Assumed != nil)
			if got.Assumed != nil {
				assert.Contains(t, got.Assumed.Message, "serviceSelectors[\""+tt.ns+"/"+tt.svc+"\"]")
			}
		})
	}
}

func TestGateway(t *testing.T) {
	tests := []struct {
		name        string
		items       string
		cfg         *config.Config
		gw          string
		want        GatewayLookup
		wantAssumed bool
	}{
		{"in the input", kymaGateway, nil, "kyma-system/kyma-gateway",
			GatewayLookup{Found: true, Domain: "local.kyma.dev", SingleWildcardHost: true}, false},
		{"input has Gateways but not this one", kymaGateway, nil, "demo/other", GatewayLookup{}, false},
		{"from config gateways", kymaGateway, &config.Config{Gateways: map[string]string{"demo/other": "example.org"}}, "demo/other",
			GatewayLookup{Found: true, Domain: "example.org", SingleWildcardHost: true}, false},
		{"no Gateways, defaultDomain: assumed with that domain", "", &config.Config{DefaultDomain: "example.com"}, "demo/gw",
			GatewayLookup{Found: true, Domain: "example.com", SingleWildcardHost: true}, true},
		{"no Gateways, defaultDomain, strict: assumed all the same (check AF701 makes it an error)", "",
			&config.Config{DefaultDomain: "example.com", Strict: true}, "demo/gw",
			GatewayLookup{Found: true, Domain: "example.com", SingleWildcardHost: true}, true},
		{"no Gateways: assumed, no domain", "", nil, "demo/gw", GatewayLookup{Found: true}, true},
		{"two different hosts: no single wildcard", `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: demo}
spec:
  servers:
  - hosts: ['*.a.com']
  - hosts: ['*.b.com']
`, nil, "demo/gw", GatewayLookup{Found: true, Domain: "a.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, name, _ := strings.Cut(tt.gw, "/")
			got := view(t, tt.items, tt.cfg).Gateway(ns, name)
			assert.Equal(t, tt.wantAssumed, got.Assumed != nil)
			got.Assumed = nil
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDefaultDomain(t *testing.T) {
	tests := []struct {
		name, items string
		cfg         *config.Config
		want        string
		wantErr     string
	}{
		{"config wins", kymaGateway, &config.Config{DefaultDomain: "example.com"}, "example.com", ""},
		{"kyma-gateway HTTPS host", kymaGateway, nil, "local.kyma.dev", ""},
		{"config gateways entry", "", &config.Config{Gateways: map[string]string{"kyma-system/kyma-gateway": "x.org"}}, "x.org", ""},
		{"nothing: no default domain", "", nil, "", ""},
		{"two HTTPS servers: error", `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ['*.a.com']
    port: {protocol: HTTPS}
  - hosts: ['*.b.com']
    port: {protocol: https}
`, nil, "", "exactly one server with protocol HTTPS"},
		{"HTTPS host without wildcard: error", `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ['a.com']
    port: {protocol: HTTPS}
`, nil, "", `exactly one host starting with "*."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := view(t, tt.items, tt.cfg).DefaultDomain()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJWTHandler(t *testing.T) {
	cm := func(data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api-gateway-config, namespace: kyma-system}\n" + data
	}
	tests := []struct {
		name, items string
		cfg         *config.Config
		want        string
		wantErr     string
	}{
		{"config wins over ConfigMap", cm("data: {api-gateway-config: 'jwtHandler: ory'}\n"), &config.Config{JWTHandler: "istio"}, "istio", ""},
		{"ConfigMap istio", cm("data: {api-gateway-config: 'jwtHandler: istio'}\n"), nil, "istio", ""},
		{"no ConfigMap: ory", "", nil, "ory", ""},
		{"invalid value", cm("data: {api-gateway-config: 'jwtHandler: nginx'}\n"), nil, "", "Unsupported JWT Handler: nginx"},
		{"missing key", cm("data: {other: x}\n"), nil, "", "Unsupported JWT Handler: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := view(t, tt.items, tt.cfg).JWTHandler()
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOccupyingVirtualServices(t *testing.T) {
	items := `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: foreign
  namespace: other
spec: {hosts: [a.example.com]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: mine
  namespace: demo
  labels: {apirule.gateway.kyma-project.io/name: api, apirule.gateway.kyma-project.io/namespace: demo}
spec: {hosts: [b.example.com]}
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: legacy
  namespace: demo
  labels: {apirule.gateway.kyma-project.io/v1beta1: api.demo, apirule.gateway.kyma-project.io/name: other}
spec: {hosts: [c.example.com]}
`
	v := view(t, items, nil)
	assert.Len(t, v.OccupyingVirtualServices("a.example.com", "demo", "api"), 1, "a VS of nobody occupies")
	assert.Empty(t, v.OccupyingVirtualServices("b.example.com", "demo", "api"), "own VS by name/namespace labels")
	assert.Len(t, v.OccupyingVirtualServices("b.example.com", "demo", "other"), 1)
	assert.Empty(t, v.OccupyingVirtualServices("c.example.com", "demo", "api"), "the legacy label decides when present")
	assert.Empty(t, v.OccupyingVirtualServices("d.example.com", "demo", "api"))
	v.AddVirtualService(&VirtualService{Namespace: "demo", Name: "gen", Hosts: []string{"d.example.com"},
		Labels: map[string]string{"apirule.gateway.kyma-project.io/name": "first", "apirule.gateway.kyma-project.io/namespace": "demo"}})
	assert.Len(t, v.OccupyingVirtualServices("d.example.com", "demo", "api"), 1, "a later APIRule sees an earlier one's VS")
}

func TestExtAuthProvider(t *testing.T) {
	mesh := `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    extensionProviders:
    - name: ext-authz
      envoyExtAuthzHttp: {service: x, port: 80}
    - name: grpc-only
      envoyExtAuthzGrpc: {service: y, port: 80}
`
	tests := []struct {
		name, items, provider string
		cfg                   *config.Config
		want                  ExtAuthLookup
	}{
		{"defined", mesh, "ext-authz", nil, ExtAuthLookup{}},
		{"not defined", mesh, "nope", nil, ExtAuthLookup{Path: "externalAuthorizers.nope", Message: "Authorizer not found in Istio ConfigMap mesh data"}},
		{"no http", mesh, "grpc-only", nil, ExtAuthLookup{Path: "externalAuthorizers.grpc-only", Message: "EnvoyExtAuthzHttp not found in Istio ConfigMap mesh data for authorizer"}},
		{"no ConfigMap", "", "ext-authz", nil, ExtAuthLookup{Message: "Failed to get Istio ConfigMap"}},
		{"no ConfigMap, config lists it", "", "ext-authz", &config.Config{ExtAuthProviders: []string{"ext-authz"}}, ExtAuthLookup{}},
		{"no mesh key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {}\n", "x", nil,
			ExtAuthLookup{Path: "externalAuthorizers", Message: "Istio ConfigMap does not contain mesh key"}},
		{"bad mesh", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: '[unclosed'}\n", "x", nil,
			ExtAuthLookup{Path: "externalAuthorizers", Message: "Failed to unmarshal mesh data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, view(t, tt.items, tt.cfg).ExtAuthProvider(tt.provider))
		})
	}
}

// TestSelects: a selector picks the objects that carry each of its labels with the
// same value; extra labels do not matter and an empty selector picks everything.
func TestSelects(t *testing.T) {
	labels := map[string]string{"app": "a", "tier": "web"}
	cases := []struct {
		selector map[string]string
		want     bool
	}{
		{nil, true},
		{map[string]string{"app": "a"}, true},
		{map[string]string{"app": "a", "tier": "web"}, true},
		{map[string]string{"app": "b"}, false},
		{map[string]string{"app": "a", "version": "v1"}, false},
		{map[string]string{"tier": ""}, false},
		{map[string]string{"version": ""}, false},
	}
	assert.True(t, Selects(map[string]string{"canary": ""}, map[string]string{"canary": ""}))
	for _, c := range cases {
		assert.Equal(t, c.want, Selects(c.selector, labels), "%v", c.selector)
	}
}
