package apirule

// V1beta1APIRule is gateway.kyma-project.io/v1beta1 APIRule (also the hub that
// v1alpha1 converts into).
type V1beta1APIRule struct {
	APIVersion string      `json:"apiVersion"`
	Metadata   Meta        `json:"metadata"`
	Spec       V1beta1Spec `json:"spec"`
}

// V1beta1Spec is the v1beta1 spec.
type V1beta1Spec struct {
	Host       *string            `json:"host,omitempty"`
	Gateway    *string            `json:"gateway,omitempty"`
	Service    *Service           `json:"service,omitempty"`
	CorsPolicy *V1beta1CorsPolicy `json:"corsPolicy,omitempty"`
	Timeout    *int64             `json:"timeout,omitempty"`
	Rules      []V1beta1Rule      `json:"rules,omitempty"`
}

// V1beta1Rule is one entry of spec.rules.
type V1beta1Rule struct {
	Path             string     `json:"path"`
	Service          *Service   `json:"service,omitempty"`
	Methods          []string   `json:"methods,omitempty"`
	AccessStrategies []*Handler `json:"accessStrategies,omitempty"`
	Mutators         []*Handler `json:"mutators,omitempty"`
	Timeout          *int64     `json:"timeout,omitempty"`
}

// V1beta1CorsPolicy is the v1beta1 corsPolicy; maxAge is a duration string ("10m").
type V1beta1CorsPolicy struct {
	CorsPolicy
	MaxAge *string `json:"maxAge,omitempty"`
}

// CorsPolicy holds the fields v1beta1 and v2 corsPolicy share.
type CorsPolicy struct {
	AllowHeaders []string `json:"allowHeaders,omitempty"`
	AllowMethods []string `json:"allowMethods,omitempty"`
	// AllowOrigins entries are single-key maps: regex, exact or prefix.
	AllowOrigins     []map[string]string `json:"allowOrigins,omitempty"`
	AllowCredentials *bool               `json:"allowCredentials,omitempty"`
	ExposeHeaders    []string            `json:"exposeHeaders,omitempty"`
}
