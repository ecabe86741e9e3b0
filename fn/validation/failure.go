package validation

// Failure is one validation failure as the controller reports it.
type Failure struct {
	// Path is the controller's attribute path, leading dot included
	// (".spec.rules[0].path"); "spec.gateway" for the gateway discovery failure,
	// which the controller writes without the dot.
	Path    string
	Message string
}
