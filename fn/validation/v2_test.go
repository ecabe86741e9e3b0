package validation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/internal/clustertest"
)

// clusterItems is the cluster the tests validate against.
const clusterItems = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: kyma-gateway, namespace: kyma-system}
spec:
  servers:
  - hosts: ['*.local.kyma.dev']
    port: {number: 443, name: https, protocol: HTTPS}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: multi, namespace: kyma-system}
spec:
  servers:
  - hosts: ['*.a.dev', '*.b.dev']
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ext-gw, namespace: edge}
spec:
  servers:
  - hosts: ['*.edge.dev']
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: test}
spec: {selector: {app: httpbin}}
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: test}
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    extensionProviders:
    - name: oauth2-proxy
      envoyExtAuthzHttp: {service: oauth2-proxy.svc, port: 80}
    - name: grpc-only
      envoyExtAuthzGrpc: {service: authz.svc, port: 9000}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: other, namespace: other}
spec: {hosts: [taken.example.com, taken.local.kyma.dev]}
`

// newView builds a cluster view from YAML documents.
func newView(t *testing.T, docs string) *cluster.View {
	_, v := clustertest.View(t, docs, config.Config{})
	return v
}

// withMesh replaces the mesh ConfigMap of clusterItems.
func withMesh(t *testing.T, mesh string) *cluster.View {
	t.Helper()
	docs := strings.Split(clusterItems, "\n---\n")
	var kept []string
	for _, d := range docs {
		if !strings.Contains(d, "name: istio,") {
			kept = append(kept, d)
		}
	}
	return newView(t, strings.Join(kept, "\n---\n")+mesh)
}

func ptr[T any](v T) *T { return &v }

// baseRule is a valid noAuth rule.
func baseRule(path string, methods ...string) apirule.V2Rule {
	return apirule.V2Rule{Path: path, Methods: methods, NoAuth: ptr(true)}
}

// baseAPIRule is a valid APIRule test/ar; tests mutate copies of it.
func baseAPIRule() *apirule.V2APIRule {
	return &apirule.V2APIRule{
		APIVersion: "gateway.kyma-project.io/v2alpha1",
		Metadata:   apirule.Meta{Name: "ar", Namespace: "test"},
		Spec: &apirule.V2Spec{
			Hosts:   []string{"ok.example.com"},
			Gateway: ptr("kyma-system/kyma-gateway"),
			Service: &apirule.Service{Name: ptr("httpbin"), Port: ptr(uint32(8000))},
			Rules:   []apirule.V2Rule{baseRule("/*", "GET")},
		},
	}
}

func jwtRule(path string, jwt *apirule.JWT) apirule.V2Rule {
	return apirule.V2Rule{Path: path, Methods: []string{"GET"}, JWT: jwt}
}

func auth(issuer, jwks string) *apirule.JWTAuthentication {
	return &apirule.JWTAuthentication{Issuer: issuer, JwksURI: jwks}
}

var goodAuth = auth("https://issuer.example.com", "https://issuer.example.com/jwks")

func TestV2(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ar *apirule.V2APIRule)
		view   *cluster.View
		want   []Failure
	}{
		{name: "valid", mutate: func(*apirule.V2APIRule) {}},
		{
			name:   "empty spec",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec = &apirule.V2Spec{} },
			want:   []Failure{{".spec", emptySpecMessage}},
		},
		{
			name:   "no rules",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Rules = nil },
			want:   []Failure{{".spec.rules", "No rules defined"}},
		},
		{
			name:   "no service anywhere",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Service = nil },
			want: []Failure{
				{".spec.rules[0].service", "The rule must define a service, because no service is defined on spec level"},
				{".spec.rules[0]", "Failed to execute sidecar injection validation, err: service name is required but missing"},
			},
		},
		{
			name: "service not found",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules[0].Service = &apirule.Service{Name: ptr("ghost"), Port: ptr(uint32(80))}
			},
			want: []Failure{{".spec.rules[0]", `Failed to execute sidecar injection validation, err: services "ghost" not found`}},
		},
		{
			name: "rule service inherits the spec service namespace",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Service.Namespace = ptr("other")
				ar.Spec.Rules[0].Service = &apirule.Service{Name: ptr("httpbin"), Port: ptr(uint32(80))}
			},
			want: []Failure{{".spec.rules[0]", `Failed to execute sidecar injection validation, err: services "httpbin" not found`}},
		},
		{
			name:   "service without selector",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Service.Name = ptr("headless") },
			want:   []Failure{{".spec.rules[0].injection", "Target service label selectors are not defined"}},
		},
		{
			name: "jwt authorizations and authentications",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{
					jwtRule("/a", &apirule.JWT{Authorizations: []*apirule.JWTAuthorization{}}),
					jwtRule("/b", &apirule.JWT{
						Authentications: []*apirule.JWTAuthentication{goodAuth},
						Authorizations: []*apirule.JWTAuthorization{
							nil,
							{RequiredScopes: []string{}, Audiences: []string{}},
							{RequiredScopes: []string{"read", ""}, Audiences: []string{""}},
						},
					}),
				}
			},
			want: []Failure{
				{".spec.rules[0].jwt.authorizations", "authorizations defined, but no configuration exists"},
				{".spec.rules[0].jwt.authentications", "A JWT config must have at least one authentication"},
				{".spec.rules[1].jwt.authorizations[0]", "authorization is empty"},
				{".spec.rules[1].jwt.authorizations[1].requiredScopes", "value is empty"},
				{".spec.rules[1].jwt.authorizations[1].audiences", "value is empty"},
				{".spec.rules[1].jwt.authorizations[2].requiredScopes", "scope value is empty"},
				{".spec.rules[1].jwt.authorizations[2].audiences", "audience value is empty"},
			},
		},
		{
			name: "jwt authentication entries",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{jwtRule("/a", &apirule.JWT{Authentications: []*apirule.JWTAuthentication{
					auth("", "issuer.example.com"),
					{Issuer: "https://i", JwksURI: "https://i/k", FromHeaders: []*apirule.FromHeader{{Name: "a"}, {Name: "b"}}},
					{Issuer: "https://j", JwksURI: "https://j/k", FromParams: []string{"x", "y"}},
				}})}
			},
			want: []Failure{
				{".spec.rules[0].jwt.authentications[0].issuer", "value is empty or not a valid uri err=value is empty"},
				{".spec.rules[0].jwt.authentications[0].jwksUri", `value is empty or not a valid uri err=parse "issuer.example.com": invalid URI for request`},
				{".spec.rules[0].jwt.authentications[1].fromHeaders", "multiple fromHeaders are not supported"},
				{".spec.rules[0].jwt.authentications[2].fromParams", "mixture of multiple fromHeaders and fromParams is not supported"},
				{".spec.rules[0].jwt.authentications[2].fromParams", "multiple fromParams are not supported"},
			},
		},
		{
			name: "extAuth restrictions are reported under extAuth",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{{Path: "/a", Methods: []string{"GET"}, ExtAuth: &apirule.ExtAuth{
					Authorizers:  []string{"oauth2-proxy"},
					Restrictions: &apirule.JWT{Authorizations: []*apirule.JWTAuthorization{}},
				}}}
			},
			want: []Failure{
				{".spec.rules[0].extAuth.authorizations", "authorizations defined, but no configuration exists"},
				{".spec.rules[0].extAuth.authentications", "A JWT config must have at least one authentication"},
			},
		},
		{
			name: "extAuth providers",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{{Path: "/a", Methods: []string{"GET"}, ExtAuth: &apirule.ExtAuth{
					Authorizers: []string{"oauth2-proxy", "missing", "grpc-only"},
				}}}
			},
			want: []Failure{
				{".spec.rules[0].extAuth.externalAuthorizers.missing", "Authorizer not found in Istio ConfigMap mesh data"},
				{".spec.rules[0].extAuth.externalAuthorizers.grpc-only", "EnvoyExtAuthzHttp not found in Istio ConfigMap mesh data for authorizer"},
			},
		},
		{
			name: "no mesh config is reported once per rule",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{{Path: "/a", Methods: []string{"GET"}, ExtAuth: &apirule.ExtAuth{Authorizers: []string{"a", "b"}}}}
			},
			view: withMesh(t, ""),
			want: []Failure{{".spec.rules[0].extAuth", "Failed to get Istio ConfigMap"}},
		},
		{
			name: "mesh config without mesh key",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{{Path: "/a", Methods: []string{"GET"}, ExtAuth: &apirule.ExtAuth{Authorizers: []string{"a", "b"}}}}
			},
			view: withMesh(t, "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {other: x}\n"),
			want: []Failure{{".spec.rules[0].extAuth.externalAuthorizers", "Istio ConfigMap does not contain mesh key"}},
		},
		{
			name: "mesh config not YAML",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{{Path: "/a", Methods: []string{"GET"}, ExtAuth: &apirule.ExtAuth{Authorizers: []string{"a"}}}}
			},
			view: withMesh(t, "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: 'extensionProviders: ['}\n"),
			want: []Failure{{".spec.rules[0].extAuth.externalAuthorizers", "Failed to unmarshal mesh data"}},
		},
		{
			name: "path operators",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{baseRule("/a/{**}/b/{**}", "GET"), baseRule("/{**}/{*}", "POST")}
			},
			want: []Failure{
				{".spec.rules[0].path", "Only one {**} operator is allowed in the path."},
				{".spec.rules[1].path", "The {**} operator must be the last operator in the path."},
			},
		},
		{
			name: "path shadowed by an earlier path",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Rules = []apirule.V2Rule{baseRule("/*", "GET", "POST"), baseRule("/a", "DELETE", "POST")}
			},
			want: []Failure{{".spec.rules", "Path /a with method POST conflicts with at least one of the previous rule paths"}},
		},
		{
			name: "same issuer with different token sources",
			mutate: func(ar *apirule.V2APIRule) {
				withHeader := &apirule.JWTAuthentication{Issuer: goodAuth.Issuer, JwksURI: goodAuth.JwksURI, FromHeaders: []*apirule.FromHeader{{Name: "X-Token"}}}
				ar.Spec.Rules = []apirule.V2Rule{
					jwtRule("/a", &apirule.JWT{Authentications: []*apirule.JWTAuthentication{goodAuth}}),
					jwtRule("/b", &apirule.JWT{Authentications: []*apirule.JWTAuthentication{goodAuth, withHeader}}),
				}
			},
			want: []Failure{{".spec.rules[1].jwt.authentications[1]", "multiple jwt configurations that differ for the same issuer"}},
		},
		{
			name:   "no hosts",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = nil },
			want:   []Failure{{".spec.hosts", "No hosts defined"}},
		},
		{
			name:   "short host completed by the gateway",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = []string{"httpbin"} },
		},
		{
			name: "short host with a multi-host gateway",
			mutate: func(ar *apirule.V2APIRule) {
				ar.Spec.Hosts = []string{"httpbin"}
				ar.Spec.Gateway = ptr("kyma-system/multi")
			},
			want: []Failure{{".spec.hosts[0]", "Lowercase RFC 1123 label (short host) is only supported as the APIRule host when selected Gateway has a single host definition matching *.<fqdn> format"}},
		},
		{
			name:   "host neither short nor FQDN",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = []string{"Upper.Example.com"} },
			want:   []Failure{{".spec.hosts[0]", "Host must be a valid FQDN or short host name"}},
		},
		{
			name:   "host occupied",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = []string{"taken.example.com"} },
			want:   []Failure{{".spec.hosts[0]", "Host is occupied by another Virtual Service"}},
		},
		{
			name:   "short host occupied once resolved",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = []string{"taken"} },
			want:   []Failure{{".spec.hosts[0]", "Host is occupied by another Virtual Service"}},
		},
		{
			name:   "wildcard host",
			mutate: func(ar *apirule.V2APIRule) { ar.Spec.Hosts = []string{"*.example.com"} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view := tt.view
			if view == nil {
				view = newView(t, clusterItems)
			}
			ar := baseAPIRule()
			tt.mutate(ar)
			gw := V2Gateway{Ref: "x/y"}
			if ar.Spec.Gateway != nil {
				var failures []Failure
				gw, failures = DiscoverV2Gateway(view, ar)
				require.Empty(t, failures)
			}
			assert.Equal(t, tt.want, V2(view, ar, gw))
		})
	}
}

func TestV2UndiscoveredGateway(t *testing.T) {
	view := newView(t, clusterItems)
	tests := []struct {
		name   string
		mutate func(spec *apirule.V2Spec)
		want   []Failure
	}{
		{
			name:   "short host without gateway",
			mutate: func(spec *apirule.V2Spec) { spec.Hosts = []string{"httpbin"} },
			want: []Failure{
				{".spec.hosts[0]", `Unable to find Gateway "kyma-system/kyma-gateway"`},
				{".spec.gateway", "Gateway not found"},
			},
		},
		{
			name:   "neither gateway",
			mutate: func(spec *apirule.V2Spec) { spec.Gateway = nil },
			want:   []Failure{{".spec", "Either gateway or externalGateway must be specified"}},
		},
		{
			name:   "both gateways",
			mutate: func(spec *apirule.V2Spec) { spec.ExternalGateway = ptr("edge/ext") },
			want:   []Failure{{".spec", "Only one of gateway or externalGateway can be specified"}},
		},
		{
			name: "external gateway not found",
			mutate: func(spec *apirule.V2Spec) {
				spec.Gateway = nil
				spec.ExternalGateway = ptr("edge/ext")
			},
			want: []Failure{{".spec.externalGateway", "ExternalGateway not found"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ar := baseAPIRule()
			tt.mutate(ar.Spec)
			assert.Equal(t, tt.want, V2(view, ar, V2Gateway{Ref: "kyma-system/kyma-gateway"}))
		})
	}
}

func TestDiscoverV2Gateway(t *testing.T) {
	view := newView(t, clusterItems)
	long := strings.Repeat("g", 50)
	tests := []struct {
		name            string
		gateway, extGW  *string
		wantRef         string
		wantDomain      string
		wantFailures    []Failure
		noSpecAtAllCase bool
	}{
		{name: "gateway", gateway: ptr("kyma-system/kyma-gateway"), wantRef: "kyma-system/kyma-gateway", wantDomain: "local.kyma.dev"},
		{name: "missing gateway", gateway: ptr("demo/missing"), wantRef: "demo/missing", wantFailures: []Failure{{"spec.gateway", "Could not get specified Gateway"}}},
		{name: "malformed gateway", gateway: ptr("kyma-gateway.kyma-system.svc.cluster.local"), wantFailures: []Failure{{"", "expected Gateway kyma-gateway.kyma-system.svc.cluster.local to be in the namespace/name format"}}},
		{name: "neither", wantFailures: []Failure{{"spec", "Either gateway or externalGateway must be specified"}}},
		{name: "no spec", noSpecAtAllCase: true, wantFailures: []Failure{{"spec", "Either gateway or externalGateway must be specified"}}},
		{name: "both", gateway: ptr("kyma-system/kyma-gateway"), extGW: ptr("edge/ext"), wantFailures: []Failure{{"spec", "Either gateway or externalGateway must be specified"}}},
		{name: "external gateway", extGW: ptr("edge/ext"), wantRef: "edge/ext-gw", wantDomain: "edge.dev"},
		{name: "external gateway in the APIRule namespace", extGW: ptr("ext"), wantRef: "test/ext-gw",
			wantFailures: []Failure{{"spec.externalGateway", "Could not find generated Gateway for ExternalGateway (expected: test/ext-gw)"}}},
		{name: "long external gateway name", extGW: ptr("edge/" + long), wantRef: "edge/" + long[:37] + "-3adce6d-gw",
			wantFailures: []Failure{{"spec.externalGateway", "Could not find generated Gateway for ExternalGateway (expected: edge/" + long[:37] + "-3adce6d-gw)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ar := baseAPIRule()
			ar.Spec.Gateway, ar.Spec.ExternalGateway = tt.gateway, tt.extGW
			if tt.noSpecAtAllCase {
				ar.Spec = nil
			}
			gw, failures := DiscoverV2Gateway(view, ar)
			assert.Equal(t, tt.wantFailures, failures)
			assert.Equal(t, tt.wantRef, gw.Ref)
			assert.Equal(t, tt.wantDomain, gw.Domain)
		})
	}
}
