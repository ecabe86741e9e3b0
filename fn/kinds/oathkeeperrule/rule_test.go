package oathkeeperrule

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

func TestSpec(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{
			name: "no mutators; config absent or null is left out",
			rule: Rule{
				Host: "a.example.com", Path: "/.*", Methods: []string{"GET"},
				Authenticators: []*apirule.Handler{{Handler: "noop"}, {Handler: "anonymous", Config: []byte(" null ")}},
				UpstreamURL:    "http://s.ns.svc.cluster.local:80",
			},
			want: `authenticators:
- handler: noop
- handler: anonymous
authorizer:
  handler: allow
match:
  methods:
  - GET
  url: <http|https>://a.example.com</.*>
upstream:
  url: http://s.ns.svc.cluster.local:80
`,
		},
		{
			name: "configs copied with sorted keys; mutators before upstream",
			rule: Rule{
				Host: "a.example.com", Path: "/b",
				Authenticators: []*apirule.Handler{{Handler: "jwt", Config: []byte(`{"trusted_issuers":["https://i"],"jwks_urls":["https://i/jwks"]}`)}},
				Mutators:       []*apirule.Handler{{Handler: "header", Config: []byte(`{"headers":{"X-User":"{{ print .Subject }}"}}`)}},
				UpstreamURL:    "http://s.ns.svc.cluster.local:8080",
			},
			want: `authenticators:
- handler: jwt
  config:
    jwks_urls:
    - https://i/jwks
    trusted_issuers:
    - https://i
authorizer:
  handler: allow
match:
  methods: []
  url: <http|https>://a.example.com</b>
mutators:
- handler: header
  config:
    headers:
      X-User: '{{ print .Subject }}'
upstream:
  url: http://s.ns.svc.cluster.local:8080
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.rule.Spec()
			require.NoError(t, err)
			assert.Equal(t, tt.want, yaml.NewRNode(n).MustString())
		})
	}
}

func TestSpecRefusesUnreadableConfig(t *testing.T) {
	_, err := Rule{Authenticators: []*apirule.Handler{{Handler: "jwt", Config: []byte(`{`)}}}.Spec()
	assert.ErrorContains(t, err, "handler jwt config")
}

func TestMatchURL(t *testing.T) {
	assert.Equal(t, "<http|https>://h.example.com</api/.*>", Rule{Host: "h.example.com", Path: "/api/.*"}.MatchURL())
}
