package apirule

// V1alpha1APIRule is gateway.kyma-project.io/v1alpha1 APIRule: the host lives in
// spec.service.host and there is no rule-level service, timeout or CORS.
type V1alpha1APIRule struct {
	APIVersion string       `json:"apiVersion"`
	Metadata   Meta         `json:"metadata"`
	Spec       V1alpha1Spec `json:"spec"`
}

// V1alpha1Spec is the v1alpha1 spec.
type V1alpha1Spec struct {
	Gateway *string          `json:"gateway,omitempty"`
	Service *V1alpha1Service `json:"service,omitempty"`
	Rules   []V1alpha1Rule   `json:"rules,omitempty"`
}

// V1alpha1Service is the v1alpha1 service, which carries the host.
type V1alpha1Service struct {
	Name     *string `json:"name,omitempty"`
	Port     *uint32 `json:"port,omitempty"`
	Host     *string `json:"host,omitempty"`
	External *bool   `json:"external,omitempty"`
}

// V1alpha1Rule is one entry of the v1alpha1 spec.rules.
type V1alpha1Rule struct {
	Path             string     `json:"path"`
	Methods          []string   `json:"methods,omitempty"`
	AccessStrategies []*Handler `json:"accessStrategies,omitempty"`
	Mutators         []*Handler `json:"mutators,omitempty"`
}

// ToV1beta1 converts as the API server's conversion webhook did: spec.service.host
// moves to spec.host, everything else is copied.
func (a *V1alpha1APIRule) ToV1beta1() *V1beta1APIRule {
	out := &V1beta1APIRule{APIVersion: Group + "/" + V1beta1, Metadata: a.Metadata}
	out.Spec.Gateway = a.Spec.Gateway
	if s := a.Spec.Service; s != nil {
		out.Spec.Host = s.Host
		out.Spec.Service = &Service{Name: s.Name, Port: s.Port, External: s.External}
	}
	for _, r := range a.Spec.Rules {
		out.Spec.Rules = append(out.Spec.Rules, V1beta1Rule{
			Path:             r.Path,
			Methods:          r.Methods,
			AccessStrategies: r.AccessStrategies,
			Mutators:         r.Mutators,
		})
	}
	return out
}
