package virtualservice

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/object"
)

func specYAML(t *testing.T, m proto.Message) string {
	t.Helper()
	return yaml.NewRNode(object.ProtoNode(m.ProtoReflect())).MustString()
}

func TestNew(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
		want   string
	}{
		{
			name:   "regex route to a Service, any method, no timeout",
			routes: []Route{{URIRegex: "/.*", DestinationHost: "s.ns.svc.cluster.local", DestinationPort: 80}},
			want: `gateways:
- kyma-system/kyma-gateway
hosts:
- a.example.com
http:
- headers:
    request: {}
    response: {}
  match:
  - uri:
      regex: /.*
  route:
  - destination:
      host: s.ns.svc.cluster.local
      port:
        number: 80
    weight: 100
`,
		},
		{
			name: "prefix wins over regex; methods, headers in order (a later one overrides), CORS stripped, timeout",
			routes: []Route{{
				URIPrefix: "/", URIRegex: "/ignored", Methods: []string{"GET", "POST"},
				DestinationHost: "oathkeeper", DestinationPort: 4455, Timeout: 30 * time.Second,
				SetHeaders:        []Header{{Name: "x-forwarded-host", Value: "a"}, {Name: "x-forwarded-host", Value: "b"}},
				RemoveCORSHeaders: true,
			}},
			want: `gateways:
- kyma-system/kyma-gateway
hosts:
- a.example.com
http:
- headers:
    request:
      set:
        x-forwarded-host: b
    response:
      remove:
      - Access-Control-Allow-Origin
      - Access-Control-Expose-Headers
      - Access-Control-Allow-Headers
      - Access-Control-Allow-Credentials
      - Access-Control-Allow-Methods
      - Access-Control-Max-Age
  match:
  - method:
      regex: ^(GET|POST)$
    uri:
      prefix: /
  route:
  - destination:
      host: oathkeeper
      port:
        number: 4455
    weight: 100
  timeout: 30s
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := specYAML(t, New([]string{"a.example.com"}, []string{"kyma-system/kyma-gateway"}, tt.routes))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNewKeepsRouteOrder(t *testing.T) {
	vs := New(nil, nil, []Route{{URIRegex: "/b"}, {URIRegex: "/a"}})
	assert.Equal(t, "/b", vs.Http[0].Match[0].Uri.GetRegex())
	assert.Equal(t, "/a", vs.Http[1].Match[0].Uri.GetRegex())
}

func TestMethodRegex(t *testing.T) {
	assert.Equal(t, "^(GET)$", MethodRegex([]string{"GET"}))
	assert.Equal(t, "^(POST|GET)$", MethodRegex([]string{"POST", "GET"}), "in the given order")
}

func TestNewCORSPolicy(t *testing.T) {
	tests := []struct {
		name string
		in   CORSPolicy
		want string
	}{
		{name: "no origin: no policy", in: CORSPolicy{AllowMethods: []string{"GET"}}, want: ""},
		{
			name: "origins by kind; unknown kinds are prefixes; several keys sorted",
			in: CORSPolicy{
				AllowOrigins: []Origin{{"regex": ".*"}, {"exact": "https://a"}, {"prefix": "https://p"}, {"other": "o"}, {"exact": "x", "regex": "z"}},
			},
			want: `allowOrigins:
- regex: .*
- exact: https://a
- prefix: https://p
- prefix: o
- exact: x
- regex: z
`,
		},
		{
			name: "every field; credentials false is written, maxAge in protojson form",
			in: CORSPolicy{
				AllowOrigins: []Origin{{"exact": "https://a"}}, AllowMethods: []string{"GET"}, AllowHeaders: []string{"h"},
				ExposeHeaders: []string{"e"}, AllowCredentials: proto.Bool(false), MaxAge: 1500 * time.Millisecond,
			},
			want: `allowCredentials: false
allowHeaders:
- h
allowMethods:
- GET
allowOrigins:
- exact: https://a
exposeHeaders:
- e
maxAge: 1.500s
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewCORSPolicy(tt.in)
			if tt.want == "" {
				assert.Nil(t, p)
				return
			}
			assert.Equal(t, tt.want, specYAML(t, p))
		})
	}
}
