package authorizationpolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/object"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		in   Policy
		want string
	}{
		{
			name: "ALLOW from the ingress gateway, namespace-wide",
			in:   Policy{Paths: []string{"/a"}, Principals: []string{IngressGatewayPrincipal}},
			want: `rules:
- from:
  - source:
      principals:
      - cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account
  to:
  - operation:
      paths:
      - /a
`,
		},
		{
			name: "audiences are one condition each (AND)",
			in:   Policy{Selector: map[string]string{"app": "a"}, Methods: []string{"GET"}, RequestPrincipals: []string{"https://i/*"}, Audiences: []string{"x", "z"}},
			want: `rules:
- from:
  - source:
      requestPrincipals:
      - https://i/*
  to:
  - operation:
      methods:
      - GET
  when:
  - key: request.auth.claims[aud]
    values:
    - x
  - key: request.auth.claims[aud]
    values:
    - z
selector:
  matchLabels:
    app: a
`,
		},
		{
			name: "required scopes: one rule per scope claim (OR), every scope in it (AND), audiences after",
			in:   Policy{Hosts: []string{"h"}, NotPaths: []string{"/b"}, RequiredScopes: []string{"read", "write"}, Audiences: []string{"x"}},
			want: `rules:
- from:
  - source: {}
  to:
  - operation:
      hosts:
      - h
      notPaths:
      - /b
  when:
  - key: request.auth.claims[scp]
    values:
    - read
  - key: request.auth.claims[scp]
    values:
    - write
  - key: request.auth.claims[aud]
    values:
    - x
- from:
  - source: {}
  to:
  - operation:
      hosts:
      - h
      notPaths:
      - /b
  when:
  - key: request.auth.claims[scope]
    values:
    - read
  - key: request.auth.claims[scope]
    values:
    - write
  - key: request.auth.claims[aud]
    values:
    - x
- from:
  - source: {}
  to:
  - operation:
      hosts:
      - h
      notPaths:
      - /b
  when:
  - key: request.auth.claims[scopes]
    values:
    - read
  - key: request.auth.claims[scopes]
    values:
    - write
  - key: request.auth.claims[aud]
    values:
    - x
`,
		},
		{
			name: "CUSTOM: the operation only, no sources or conditions",
			in:   Policy{Provider: "oauth2-proxy", Paths: []string{"/a"}, Principals: []string{"ignored"}, RequiredScopes: []string{"ignored"}},
			want: `action: CUSTOM
provider:
  name: oauth2-proxy
rules:
- to:
  - operation:
      paths:
      - /a
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := yaml.NewRNode(object.ProtoNode(New(tt.in).ProtoReflect())).MustString()
			assert.Equal(t, tt.want, got)
		})
	}
}
