package checks

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/access"
	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
)

// Render is everything one run rendered and read, as the checks see it.
type Render struct {
	// APIRules are the APIRules that rendered, in item order.
	APIRules []*APIRule
	// Input holds the Istio and Oathkeeper objects of the input that the function did
	// not generate: hand-written objects and those of other tools.
	Input []*Object
	// Selector returns the workload labels of Service namespace/name (nil: the label
	// the renderers assume, {app: <name>}).
	Selector func(namespace, name string) (map[string]string, bool)
	// OathkeeperProxy is host:port of the Oathkeeper proxy ("": the default).
	OathkeeperProxy string

	// Services are the v1 Services of the input, where routes end.
	Services []*Object

	opened *[]opening
}

// AddAPIRule appends an APIRule that rendered; its objects get it as their owner.
func (r *Render) AddAPIRule(ar *APIRule) {
	ar.index = len(r.APIRules)
	for _, o := range ar.Objects {
		o.Owner = ar
	}
	r.APIRules = append(r.APIRules, ar)
}

// AddInput records an item of the input if it is an Istio or Oathkeeper object or a
// Service.
func (r *Render) AddInput(it *yaml.RNode) {
	group, _, _ := strings.Cut(it.GetApiVersion(), "/")
	service := it.GetApiVersion() == "v1" && it.GetKind() == "Service"
	if group != istioNetworking && group != istioSecurity && group != oathkeeperGroup && !service {
		return
	}
	spec, _ := it.Pipe(yaml.Lookup("spec"))
	var node *yaml.Node
	if spec != nil {
		node = spec.YNode()
	}
	o := &Object{APIVersion: it.GetApiVersion(), Kind: it.GetKind(), Namespace: it.GetNamespace(), Name: it.GetName(), SpecNode: node}
	if service {
		r.Services = append(r.Services, o)
	} else {
		r.Input = append(r.Input, o)
	}
}

// Objects returns the generated objects of every APIRule, then the input objects.
func (r *Render) Objects() []*Object {
	var out []*Object
	for _, ar := range r.APIRules {
		out = append(out, ar.Objects...)
	}
	return append(out, r.Input...)
}

// APIRule is one APIRule that rendered, with its generated objects.
type APIRule struct {
	Namespace, Name string
	// Exactly one of V2 (v2, v2alpha1) and V1beta1 (v1beta1, v1alpha1 converted) is set.
	V2      *apirule.V2APIRule
	V1beta1 *apirule.V1beta1APIRule
	// IstioHandler reports that v1beta1 jwt rules are enforced by Istio, not Oathkeeper.
	IstioHandler bool
	// Objects are the generated objects, named.
	Objects []*Object
	// Assumptions are the Gateways and Services the renderer assumed because the
	// input does not hold them.
	Assumptions []cluster.Assumption
	// Waived are the IDs of the checks the APIRule waives.
	Waived map[string]bool
	// Item is the caller's handle on the APIRule (the processor's input item).
	Item  any
	index int
}

// String is "APIRule <namespace>/<name>", as messages name another APIRule.
func (a *APIRule) String() string { return "APIRule " + a.Namespace + "/" + a.Name }

// Object is a generated object or an Istio or Oathkeeper object of the input.
type Object struct {
	APIVersion, Kind, Namespace, Name string
	// Owner is the APIRule that generated the object in this run; nil for an object
	// of the input.
	Owner *APIRule
	// SpecNode is the object's spec (nil when it has none).
	SpecNode *yaml.Node

	// model is the spec read for fn/access, once per run however many APIRules'
	// meshes take the object in (see Object.modelled).
	model     *access.Decoded
	modelErr  error
	modelRead bool
}

// modelled returns the object as fn/access reads it, decoding it on first use.
func (o *Object) modelled() (*access.Decoded, error) {
	if !o.modelRead {
		o.model, o.modelErr = access.Decode(o.APIVersion, o.Kind, o.Namespace, o.Name, o.SpecNode)
		o.modelRead = true
	}
	return o.model, o.modelErr
}

// Group is the API group of the object.
func (o *Object) Group() string {
	g, _, _ := strings.Cut(o.APIVersion, "/")
	return g
}

// String names the object and where it comes from, for messages.
func (o *Object) String() string {
	s := o.Kind + " " + o.Namespace + "/" + o.Name
	if o.Owner == nil {
		return s + " (in the input)"
	}
	return s + " (of " + o.Owner.String() + ")"
}

// Decode reads the spec into v (yaml tags); a spec that does not decode leaves v as
// it was, since the checks read only what they understand.
func (o *Object) Decode(v any) bool {
	return o.SpecNode != nil && o.SpecNode.Decode(v) == nil
}

// API groups of the objects the checks read.
const (
	istioNetworking = "networking.istio.io"
	istioSecurity   = "security.istio.io"
	oathkeeperGroup = "oathkeeper.ory.sh"
)
