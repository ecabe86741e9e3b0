package access

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1"
	security "istio.io/api/security/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/kinds/authorizationpolicy"
	"github.com/apirule-krm/apirule-fn/fn/kinds/oathkeeperrule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/requestauthentication"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// RootNamespace is Istio's root namespace: its namespace-wide policies apply to
// every workload of the mesh.
const RootNamespace = "istio-system"

// Mesh holds the objects requests are decided by. Build it with New and the Add
// methods; Evaluate does not change what it decides by (it only remembers, per
// workload, which policies apply) and may be called concurrently.
type Mesh struct {
	// Selector returns the workload labels of Service namespace/name (its
	// spec.selector), or false when unknown. Nil, or false: Services added with
	// AddNodes, else {app: <name>}, the label a renderer assumes.
	Selector func(namespace, name string) (map[string]string, bool)
	// OathkeeperProxy is host:port of the Oathkeeper proxy (default: the
	// function's default, config.DefaultOathkeeperProxy).
	OathkeeperProxy string
	// OathkeeperPrincipal is the identity Oathkeeper forwards requests with (default:
	// the principal the controller allows for Oathkeeper routes).
	OathkeeperPrincipal string
	// GatewayPrincipal is the identity of the ingress gateway (default: Istio's).
	GatewayPrincipal string
	// JWKSIssuers names the issuer whose tokens the keys at a JWKS URL verify. An
	// Oathkeeper jwt authenticator without trusted_issuers accepts a token only when
	// its keys are at one of its jwks_urls; when a URL is not listed here, any
	// issuer's token is taken to verify there.
	JWKSIssuers map[string]string

	virtualServices []virtualService
	policies        []policy
	authns          []requestAuthn
	rules           []oryRule
	services        map[string]map[string]string

	// governing caches, per workload, the policies and RequestAuthentications that
	// apply to it: every request to a workload would otherwise test every policy
	// of the mesh again. AddDecoded clears it.
	mu         sync.Mutex
	byWorkload map[string]*governing
}

type virtualService struct {
	namespace, name string
	spec            *networking.VirtualService
}

type policy struct {
	namespace, name string
	spec            *security.AuthorizationPolicy
}

type requestAuthn struct {
	namespace, name string
	spec            *security.RequestAuthentication
}

// New returns an empty Mesh with the defaults of the Kyma API Gateway.
func New() *Mesh {
	return &Mesh{
		OathkeeperProxy:     config.DefaultOathkeeperProxy,
		OathkeeperPrincipal: authorizationpolicy.OathkeeperMaesterPrincipal,
		GatewayPrincipal:    authorizationpolicy.IngressGatewayPrincipal,
		services:            map[string]map[string]string{},
	}
}

// Add adds one object by apiVersion, kind, namespace, name and spec. Kinds other
// than VirtualService, AuthorizationPolicy, RequestAuthentication and Oathkeeper
// Rule are ignored, so whole ResourceLists can be added.
func (m *Mesh) Add(apiVersion, kind, namespace, name string, spec *yaml.Node) error {
	d, err := Decode(apiVersion, kind, namespace, name, spec)
	m.AddDecoded(d)
	return err
}

// Decoded is one object read for the model. Reading a spec (YAML to JSON to
// protobuf) costs far more than evaluating it, so a caller that builds many Meshes
// over the same objects decodes each once and adds it with AddDecoded.
type Decoded struct {
	vs     *virtualService
	policy *policy
	authn  *requestAuthn
	rule   *oryRule
}

// Decode reads one object for AddDecoded. It returns nil for kinds the model
// ignores and, with an error, nil for a spec it cannot read, except an Oathkeeper
// Rule whose match.url does not compile: that Rule still takes part (it matches
// nothing), as Add has always kept it.
func Decode(apiVersion, kind, namespace, name string, spec *yaml.Node) (*Decoded, error) {
	group, _, _ := strings.Cut(apiVersion, "/")
	var d *Decoded
	var err error
	switch {
	case group == virtualservice.Group && kind == virtualservice.Kind:
		vs := &networking.VirtualService{}
		if err = decodeSpec(spec, vs); err == nil {
			d = &Decoded{vs: &virtualService{namespace, name, vs}}
		}
	case group == authorizationpolicy.Group && kind == authorizationpolicy.Kind:
		ap := &security.AuthorizationPolicy{}
		if err = decodeSpec(spec, ap); err == nil {
			d = &Decoded{policy: &policy{namespace, name, ap}}
		}
	case group == requestauthentication.Group && kind == requestauthentication.Kind:
		ra := &security.RequestAuthentication{}
		if err = decodeSpec(spec, ra); err == nil {
			d = &Decoded{authn: &requestAuthn{namespace, name, ra}}
		}
	case group == oathkeeperrule.Group && kind == oathkeeperrule.Kind:
		var r oryRule
		if err = decodeJSON(spec, &r.spec); err == nil {
			r.namespace, r.name = namespace, name
			err = r.compile()
			d = &Decoded{rule: &r}
		}
	default:
		return nil, nil
	}
	if err != nil {
		return d, fmt.Errorf("%s %s/%s: %w", kind, namespace, name, err)
	}
	return d, nil
}

// AddDecoded adds an object Decode read; nil is ignored. The Mesh shares the
// decoded spec and never changes it.
func (m *Mesh) AddDecoded(d *Decoded) {
	switch {
	case d == nil:
	case d.vs != nil:
		m.virtualServices = append(m.virtualServices, *d.vs)
	case d.policy != nil:
		m.policies = append(m.policies, *d.policy)
	case d.authn != nil:
		m.authns = append(m.authns, *d.authn)
	case d.rule != nil:
		m.rules = append(m.rules, *d.rule)
	}
	m.mu.Lock()
	m.byWorkload = nil
	m.mu.Unlock()
}

// AddObjects adds generated objects, as a renderer returns them.
func (m *Mesh) AddObjects(objs []*object.Object) error {
	for _, o := range objs {
		if err := m.Add(o.APIVersion, o.Kind, o.Namespace, o.Name, o.Spec); err != nil {
			return err
		}
	}
	return nil
}

// AddNodes adds the objects among items (a ResourceList's items or a YAML
// stream), and remembers the selectors of v1 Services for Selector.
func (m *Mesh) AddNodes(items []*yaml.RNode) error {
	for _, it := range items {
		spec := it.Field("spec")
		var specNode *yaml.Node
		if spec != nil {
			specNode = spec.Value.YNode()
		}
		if it.GetApiVersion() == "v1" && it.GetKind() == "Service" {
			sel := map[string]string{}
			if specNode != nil {
				var s struct {
					Selector map[string]string `json:"selector"`
				}
				if err := decodeJSON(specNode, &s); err == nil && len(s.Selector) > 0 {
					sel = s.Selector
				}
			}
			m.services[it.GetNamespace()+"/"+it.GetName()] = sel
			continue
		}
		if err := m.Add(it.GetApiVersion(), it.GetKind(), it.GetNamespace(), it.GetName(), specNode); err != nil {
			return err
		}
	}
	return nil
}

func decodeJSON(spec *yaml.Node, v any) error {
	if spec == nil {
		return nil
	}
	b, err := specJSON(spec)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func decodeSpec(spec *yaml.Node, m proto.Message) error {
	if spec == nil {
		return nil
	}
	b, err := specJSON(spec)
	if err != nil {
		return err
	}
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, m)
}

// specJSON is the spec as JSON. A mapping is decoded straight from the node:
// the same values as kyaml's MarshalJSON, which prints the node as YAML and parses
// it again, at a fraction of the cost (that round trip was most of the time spent
// reading specs).
func specJSON(spec *yaml.Node) ([]byte, error) {
	if spec.Kind != yaml.MappingNode {
		return yaml.NewRNode(spec).MarshalJSON()
	}
	m := map[string]any{}
	if err := spec.Decode(&m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// workloadLabels returns the pod labels behind Service namespace/name.
func (m *Mesh) workloadLabels(namespace, name string) map[string]string {
	if m.Selector != nil {
		if l, ok := m.Selector(namespace, name); ok {
			return l
		}
	}
	if l, ok := m.services[namespace+"/"+name]; ok {
		return l
	}
	return map[string]string{"app": name}
}

// serviceOf splits a destination host "<name>.<namespace>.svc.cluster.local"
// (port optional); ok is false for other hosts.
func serviceOf(host string) (namespace, name string, ok bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	parts := strings.Split(host, ".")
	if len(parts) < 2 || (len(parts) > 2 && parts[2] != "svc") {
		return "", "", false
	}
	return parts[1], parts[0], true
}

func (m *Mesh) isOathkeeper(host string) bool {
	want, _, err := net.SplitHostPort(m.OathkeeperProxy)
	if err != nil {
		want = m.OathkeeperProxy
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return host == want
}
