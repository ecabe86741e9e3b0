package apirule

// Target is the Service a rule sends traffic to (v1beta1 and v2 resolve it alike).
type Target struct {
	// Name is "" when neither the rule nor the spec names a Service.
	Name      string
	Namespace string
	Port      uint32
}

// TargetOf resolves a rule's target Service: the rule's service, else the spec's. Its
// namespace is the rule service's namespace, else the spec service's namespace (even
// when the rule names another Service), else the APIRule's namespace.
func TargetOf(apiRuleNamespace string, specService, ruleService *Service) Target {
	svc := ruleService
	if svc == nil {
		svc = specService
	}
	t := Target{Name: svc.NameOrEmpty(), Namespace: apiRuleNamespace, Port: svc.PortOrZero()}
	switch {
	case ruleService != nil && ruleService.Namespace != nil:
		t.Namespace = *ruleService.Namespace
	case specService != nil && specService.Namespace != nil:
		t.Namespace = *specService.Namespace
	}
	return t
}

// LookupNamespace is the namespace the controller looks the Service up in: the
// Service's namespace, or "default" for an APIRule without namespace.
func (t Target) LookupNamespace() string {
	if t.Namespace == "" {
		return "default"
	}
	return t.Namespace
}

// Host is the cluster-local DNS name of the Service, the route destination.
func (t Target) Host() string {
	return t.Name + "." + t.Namespace + ".svc.cluster.local"
}

// RuleTarget resolves the target Service of rule r of a v1beta1 APIRule (see TargetOf).
func (a *V1beta1APIRule) RuleTarget(r *V1beta1Rule) Target {
	return TargetOf(a.Metadata.Namespace, a.Spec.Service, r.Service)
}

// RuleTarget resolves the target Service of rule r of a v2 APIRule (see TargetOf).
// The spec must not be nil.
func (a *V2APIRule) RuleTarget(r *V2Rule) Target {
	return TargetOf(a.Metadata.Namespace, a.Spec.Service, r.Service)
}
