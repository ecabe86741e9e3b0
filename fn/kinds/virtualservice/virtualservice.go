package virtualservice

import (
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1"
)

// Group and Kind of the generated object; its version is the configured Istio API
// version (render.Context.IstioAPIVersion).
const (
	Group = "networking.istio.io"
	Kind  = "VirtualService"
)

// CORSResponseHeaders are the upstream response headers the controller strips
// whenever the APIRule takes CORS into its own hands, in the controller's order.
var CORSResponseHeaders = []string{
	"Access-Control-Allow-Origin",
	"Access-Control-Expose-Headers",
	"Access-Control-Allow-Headers",
	"Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods",
	"Access-Control-Max-Age",
}

// Header is one request header to set; later entries override earlier ones.
type Header struct{ Name, Value string }

// Route is one HTTP route.
type Route struct {
	// Methods restrict the route with a "^(M1|M2)$" regex; nil means any method.
	Methods []string
	// Exactly one of URIPrefix and URIRegex is used; URIPrefix wins when set.
	URIPrefix, URIRegex string
	// DestinationHost and DestinationPort name the Service or the Oathkeeper proxy.
	DestinationHost string
	DestinationPort uint32
	// Timeout of zero leaves the field out.
	Timeout time.Duration
	// SetHeaders are request headers to set, in order.
	SetHeaders []Header
	// RemoveCORSHeaders strips CORSResponseHeaders from the response.
	RemoveCORSHeaders bool
	// CORS is the route's CORS policy, nil for none.
	CORS *networking.CorsPolicy
}

// New builds a VirtualService spec with the given hosts, gateways and routes in order.
func New(hosts, gateways []string, routes []Route) *networking.VirtualService {
	vs := &networking.VirtualService{Hosts: hosts, Gateways: gateways}
	for _, r := range routes {
		vs.Http = append(vs.Http, httpRoute(r))
	}
	return vs
}

func httpRoute(r Route) *networking.HTTPRoute {
	match := &networking.HTTPMatchRequest{}
	if r.URIPrefix != "" {
		match.Uri = &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: r.URIPrefix}}
	} else {
		match.Uri = &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: r.URIRegex}}
	}
	if r.Methods != nil {
		match.Method = &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: MethodRegex(r.Methods)}}
	}
	route := &networking.HTTPRoute{
		Match: []*networking.HTTPMatchRequest{match},
		Route: []*networking.HTTPRouteDestination{{
			Destination: &networking.Destination{
				Host: r.DestinationHost,
				Port: &networking.PortSelector{Number: r.DestinationPort},
			},
			Weight: 100,
		}},
		CorsPolicy: r.CORS,
		Headers: &networking.Headers{
			Request:  &networking.Headers_HeaderOperations{Set: map[string]string{}},
			Response: &networking.Headers_HeaderOperations{},
		},
	}
	for _, h := range r.SetHeaders {
		route.Headers.Request.Set[h.Name] = h.Value
	}
	if r.RemoveCORSHeaders {
		route.Headers.Response.Remove = append([]string(nil), CORSResponseHeaders...)
	}
	if r.Timeout > 0 {
		route.Timeout = durationpb.New(r.Timeout)
	}
	return route
}

// MethodRegex is the controller's method match: the methods in the given order,
// anchored, as alternatives.
func MethodRegex(methods []string) string {
	return "^(" + strings.Join(methods, "|") + ")$"
}

// Origin is one allowed CORS origin as the APIRule writes it: a single-key map
// whose key is regex, exact or prefix.
type Origin = map[string]string

// CORSPolicy is the input of NewCORSPolicy.
type CORSPolicy struct {
	AllowOrigins     []Origin
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials *bool
	MaxAge           time.Duration
}

// NewCORSPolicy converts an APIRule CORS policy. It returns nil when no origin is
// allowed: the controller drops such a policy entirely. Keys other than regex and
// exact are treated as prefix, as the controller does; when one map holds several
// keys (upstream iterates them in random order) they are taken in sorted order.
func NewCORSPolicy(p CORSPolicy) *networking.CorsPolicy {
	out := &networking.CorsPolicy{
		AllowMethods:  p.AllowMethods,
		AllowHeaders:  p.AllowHeaders,
		ExposeHeaders: p.ExposeHeaders,
	}
	for _, o := range p.AllowOrigins {
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.AllowOrigins = append(out.AllowOrigins, stringMatch(k, o[k]))
		}
	}
	if len(out.AllowOrigins) == 0 {
		return nil
	}
	if p.AllowCredentials != nil {
		out.AllowCredentials = wrapperspb.Bool(*p.AllowCredentials)
	}
	if p.MaxAge > 0 {
		out.MaxAge = durationpb.New(p.MaxAge)
	}
	return out
}

func stringMatch(kind, value string) *networking.StringMatch {
	switch kind {
	case "regex":
		return &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: value}}
	case "exact":
		return &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: value}}
	}
	return &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: value}}
}
