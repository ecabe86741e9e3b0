package apirule

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Group is the API group of every APIRule version.
const Group = "gateway.kyma-project.io"

// Kind is the kind of the object the function renders.
const Kind = "APIRule"

// Supported API versions, newest first.
const (
	V2       = "v2"
	V2alpha1 = "v2alpha1"
	V1beta1  = "v1beta1"
	V1alpha1 = "v1alpha1"
)

// Versions lists every APIRule version the function renders.
var Versions = []string{V2, V2alpha1, V1beta1, V1alpha1}

// IsAPIRule reports whether apiVersion/kind name an APIRule of any version,
// including versions the function does not know (those are errors, not pass-through).
func IsAPIRule(apiVersion, kind string) bool {
	return kind == Kind && strings.HasPrefix(apiVersion, Group+"/")
}

// VersionOf returns the version part of an APIRule apiVersion and whether it is supported.
func VersionOf(apiVersion string) (string, bool) {
	v := strings.TrimPrefix(apiVersion, Group+"/")
	for _, known := range Versions {
		if v == known {
			return v, true
		}
	}
	return v, false
}

// Meta is the part of metadata the renderers use.
type Meta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Service is the target Service of a spec or a rule (all versions but v1alpha1).
type Service struct {
	Name      *string `json:"name,omitempty"`
	Namespace *string `json:"namespace,omitempty"`
	Port      *uint32 `json:"port,omitempty"`
	// External is accepted by the schema and ignored by the controller in every version.
	External *bool `json:"external,omitempty"`
}

// NameOrEmpty returns the service name, or "" when unset.
func (s *Service) NameOrEmpty() string {
	if s == nil || s.Name == nil {
		return ""
	}
	return *s.Name
}

// PortOrZero returns the service port, or 0 when unset.
func (s *Service) PortOrZero() uint32 {
	if s == nil || s.Port == nil {
		return 0
	}
	return *s.Port
}

// Handler is a v1alpha1/v1beta1 access strategy or mutator: a name and a free-form config.
type Handler struct {
	Handler string `json:"handler"`
	// Config is the raw JSON of `config` (nil when absent). Keys are sorted, because the
	// schema check decoded the YAML into maps before this model saw it.
	Config json.RawMessage `json:"config,omitempty"`
}

// HasConfig reports whether config is present and not empty: absent, `null` and `{}`
// count as empty, as in the controller.
func (h *Handler) HasConfig() bool {
	c := strings.TrimSpace(string(h.Config))
	return c != "" && c != "null" && c != "{}"
}

// Decode fills v (one of *V1alpha1, *V1beta1, *V2) from the plain JSON-like value of a
// whole APIRule object.
func Decode(obj map[string]any, v any) error {
	b, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode APIRule: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode APIRule: %w", err)
	}
	return nil
}
