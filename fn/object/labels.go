package object

// Label keys the Kyma API Gateway controller (3.5.0 and later) puts on every object
// it generates. The function writes the same labels so that the output is the
// controller's object for object; note that a running controller uses the name and
// namespace labels to find objects it owns.
const (
	LabelAPIRuleName      = "apirule.gateway.kyma-project.io/name"
	LabelAPIRuleNamespace = "apirule.gateway.kyma-project.io/namespace"
	// LabelIndex is set on AuthorizationPolicies: the authorization's position.
	LabelIndex = "gateway.kyma-project.io/index"
)

// ControllerLabels returns the labels of an object generated for the APIRule.
func ControllerLabels(apiRuleName, apiRuleNamespace string) map[string]string {
	return map[string]string{
		LabelAPIRuleName:               apiRuleName,
		LabelAPIRuleNamespace:          apiRuleNamespace,
		"kyma-project.io/module":       "api-gateway",
		"app.kubernetes.io/managed-by": "api-gateway",
		"app.kubernetes.io/component":  "api-gateway",
		"app.kubernetes.io/part-of":    "api-gateway",
	}
}
