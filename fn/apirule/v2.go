package apirule

// V2APIRule is gateway.kyma-project.io/v2 or v2alpha1 APIRule: both versions have
// the same shape and the controller processes them identically.
type V2APIRule struct {
	APIVersion string `json:"apiVersion"`
	Metadata   Meta   `json:"metadata"`
	// Spec is nil when the object has no spec at all.
	Spec *V2Spec `json:"spec,omitempty"`
}

// V2Spec is the v2/v2alpha1 spec.
type V2Spec struct {
	Hosts           []string      `json:"hosts,omitempty"`
	Gateway         *string       `json:"gateway,omitempty"`
	ExternalGateway *string       `json:"externalGateway,omitempty"`
	Service         *Service      `json:"service,omitempty"`
	CorsPolicy      *V2CorsPolicy `json:"corsPolicy,omitempty"`
	Timeout         *int64        `json:"timeout,omitempty"`
	Rules           []V2Rule      `json:"rules,omitempty"`
}

// V2CorsPolicy is the v2 corsPolicy; maxAge is a number of seconds.
type V2CorsPolicy struct {
	CorsPolicy
	MaxAge *int64 `json:"maxAge,omitempty"`
}

// V2Rule is one entry of the v2 spec.rules: exactly one of NoAuth, JWT, ExtAuth.
type V2Rule struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods,omitempty"`
	Service *Service `json:"service,omitempty"`
	Timeout *int64   `json:"timeout,omitempty"`
	Request *Request `json:"request,omitempty"`
	NoAuth  *bool    `json:"noAuth,omitempty"`
	JWT     *JWT     `json:"jwt,omitempty"`
	ExtAuth *ExtAuth `json:"extAuth,omitempty"`
}

// Request holds headers and cookies set on the forwarded request.
type Request struct {
	Headers map[string]string `json:"headers,omitempty"`
	Cookies map[string]string `json:"cookies,omitempty"`
}

// JWT is the v2 jwt block; also the shape of extAuth.restrictions and of the
// v1beta1 jwt config under the Istio handler.
type JWT struct {
	Authentications []*JWTAuthentication `json:"authentications,omitempty"`
	// Authorizations is nil when absent and empty (not nil) for `authorizations: []`.
	Authorizations []*JWTAuthorization `json:"authorizations"`
}

// JWTAuthentication names a token issuer and where its keys and tokens come from.
type JWTAuthentication struct {
	Issuer      string        `json:"issuer"`
	JwksURI     string        `json:"jwksUri"`
	FromHeaders []*FromHeader `json:"fromHeaders,omitempty"`
	FromParams  []string      `json:"fromParams,omitempty"`
}

// FromHeader is a header a token is read from.
type FromHeader struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix,omitempty"`
}

// JWTAuthorization is one alternative set of scope and audience requirements.
// Nil slices are absent; empty ones are `[]` (a validation failure).
type JWTAuthorization struct {
	RequiredScopes []string `json:"requiredScopes"`
	Audiences      []string `json:"audiences"`
}

// ExtAuth delegates the check to Istio extension providers, optionally also requiring a JWT.
type ExtAuth struct {
	Authorizers  []string `json:"authorizers,omitempty"`
	Restrictions *JWT     `json:"restrictions,omitempty"`
}
