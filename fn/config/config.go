package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/istiodrules"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
	"github.com/apirule-krm/apirule-fn/fn/yamlsafe"
)

// Typed config identity.
const (
	Group      = "apirule.krm.dev"
	APIVersion = Group + "/v1alpha1"
	Kind       = "APIRuleTransformer"
)

// Values of the enumerated settings.
const (
	HandlerOry   = "ory"
	HandlerIstio = "istio"

	APIRulesLocal = "local"
	APIRulesKeep  = "keep"

	ModeRender   = "render"
	ModeValidate = "validate"
	ModeMigrate  = "migrate"

	StderrWarnings = "warnings"
	StderrErrors   = "errors"

	IstioV1      = "v1"
	IstioV1beta1 = "v1beta1"
)

// Config is the function config. It is the one source of the config keys: each
// field's struct tags declare its key and what the schema says about it, and the
// published schema (Schema), the key list of --help (Help) and the structural checks
// of Load are derived from them (see keys.go for the tags). Defaults come from
// Default; Validate holds only what a schema cannot say. A new key is a new field
// here, plus a README row (a test checks that).
type Config struct {
	// JWTHandler selects how v1alpha1/v1beta1 jwt rules are enforced: "ory"
	// (Oathkeeper) or "istio". Empty: the kyma-system/api-gateway-config ConfigMap in
	// the input decides, else "ory".
	JWTHandler string `json:"jwtHandler,omitempty" enum:"ory,istio" help:"How v1alpha1/v1beta1 jwt rules are enforced. Default: the kyma-system/api-gateway-config ConfigMap in the input, else ory."`
	// DefaultDomain completes short (dot-less) v1alpha1/v1beta1 hosts. Empty: the
	// domain of the kyma-system/kyma-gateway Gateway in the input, if any.
	DefaultDomain string `json:"defaultDomain,omitempty" help:"Domain of short v1alpha1/v1beta1 hosts, and of v2 short hosts when the input has no Gateway at all and gateways does not name theirs. Default: gateways[\"kyma-system/kyma-gateway\"], else the \"*.\" host of the HTTPS server of the kyma-system/kyma-gateway Gateway in the input, else none."`
	// OathkeeperProxy is host:port of the Oathkeeper proxy that secured v1alpha1/v1beta1
	// routes go to.
	OathkeeperProxy string `json:"oathkeeperProxy,omitempty" help:"host:port of the Oathkeeper proxy that secured v1alpha1/v1beta1 routes go to."`
	// DefaultCorsPolicy is the CORS policy of v1alpha1/v1beta1 routes whose APIRule has none.
	DefaultCorsPolicy *CorsDefaults `json:"defaultCorsPolicy,omitempty" help:"CORS policy of v1alpha1/v1beta1 routes whose APIRule has no corsPolicy (the API Gateway module's values)."`
	// IstioAPIVersion is the version of the Istio APIs written: "v1" or "v1beta1".
	IstioAPIVersion string `json:"istioAPIVersion,omitempty" enum:"v1,v1beta1" help:"Version of the Istio APIs written."`
	// ServiceSelectors gives the selector of Services not in the input: "ns/name" → labels.
	ServiceSelectors map[string]map[string]string `json:"serviceSelectors,omitempty" help:"{\"<ns>/<name>\": {label: value}}: selectors of Services not in the input."`
	// SelectorLabel is the label assumed as a Service's selector ({label: name}) when
	// the Service is neither in the input nor in ServiceSelectors.
	SelectorLabel string `json:"selectorLabel,omitempty" help:"Label assumed as the selector ({<label>: <service name>}) of a Service found neither in the input nor in serviceSelectors."`
	// Gateways declares Gateways not in the input: "ns/name" → domain ("" if unknown).
	Gateways map[string]string `json:"gateways,omitempty" help:"{\"<ns>/<name>\": \"<domain>\"}: Gateways not in the input (\"\" if the domain is unknown)."`
	// ExtAuthProviders names the mesh's envoyExtAuthzHttp extension providers when the
	// istio-system/istio ConfigMap is not in the input.
	ExtAuthProviders []string `json:"extAuthProviders,omitempty" help:"[names]: envoyExtAuthzHttp extension providers when the istio-system/istio ConfigMap is not in the input."`
	// Strict turns every warning into an error: the findings of the checks, the
	// render-time assumptions (AF701, AF702) included, unless the APIRule waives the
	// check.
	Strict bool `json:"strict,omitempty" help:"true: every warning is an error (findings of checks the APIRule does not waive with the annotation apirule.krm.dev/waive, including AF701/AF702: a Gateway or Service that is neither in the input nor in the config)."`
	// Stderr is what a KRM function run also prints on stderr, where kustomize and
	// Argo CD show it: "warnings" (and errors) or "errors" only.
	Stderr string `json:"stderr,omitempty" enum:"warnings,errors" help:"What a KRM function run also prints on stderr, one line each (kustomize and Argo CD show only stderr): warnings and errors, or errors only. Under kpt, which prints the results, warnings stay in the results."`
	// APIRules is "local" (mark APIRules config.kubernetes.io/local-config) or "keep".
	APIRules string `json:"apiRules,omitempty" enum:"local,keep" help:"local marks APIRules config.kubernetes.io/local-config so kustomize build drops them and kpt live apply skips them."`
	// Mode is "render" (generate objects), "validate" (results only) or "migrate"
	// (rewrite v1alpha1/v1beta1 APIRules as v2 where their meaning is kept).
	Mode string `json:"mode,omitempty" enum:"render,validate,migrate" help:"validate reports results only and generates nothing; migrate rewrites v1alpha1/v1beta1 APIRules as v2 where their meaning is kept, and generates nothing."`
	// Issuers maps a JWKS URL to the issuer of its tokens, for mode migrate: v2
	// needs an issuer per JWKS URL, which Oathkeeper jwt configs may leave open.
	Issuers map[string]string `json:"issuers,omitempty" help:"{\"<jwks url>\": \"<issuer>\"}: for mode migrate, the issuer of the tokens each JWKS URL verifies, where an Oathkeeper jwt config does not name exactly one trusted_issuers."`
	// Limits bound what the function reads.
	Limits
}

// CorsDefaults is the controller's CORS policy for routes of APIRules without one.
type CorsDefaults struct {
	// AllowOrigins entries are "regex:X", "prefix:X" or "exact:X", as the controller's flags.
	AllowOrigins []string `json:"allowOrigins,omitempty" pattern:"^(regex|prefix|exact):" help:"Entries regex:X, prefix:X or exact:X."`
	AllowMethods []string `json:"allowMethods,omitempty"`
	AllowHeaders []string `json:"allowHeaders,omitempty"`
}

// Limits bound the input so that hostile YAML cannot exhaust the function.
type Limits struct {
	MaxInputBytes      int64 `json:"maxInputBytes,omitempty" minimum:"1" help:"Lowers the input size limit. The reader's limit, 67108864 (64 MiB) by default, applies anyway (on stdin the config arrives inside the input); raise it with the environment variable APIRULE_FN_MAX_INPUT_BYTES."`
	MaxItems           int   `json:"maxItems,omitempty" minimum:"1" help:"Lowers the item limit. The reader's limit, 100000 by default, applies anyway (it counts the items before the config is read); raise it with the environment variable APIRULE_FN_MAX_ITEMS."`
	MaxDepth           int   `json:"maxDepth,omitempty" minimum:"1" help:"Nesting depth inside an APIRule or the config."`
	MaxScalarBytes     int   `json:"maxScalarBytes,omitempty" minimum:"1" help:"Length of any scalar inside an APIRule or the config."`
	MaxRulesPerAPIRule int   `json:"maxRulesPerAPIRule,omitempty" minimum:"1" help:"Rules of one APIRule."`
}

// Defaults of the settings.
const (
	DefaultOathkeeperProxy    = "ory-oathkeeper-proxy.kyma-system.svc.cluster.local:4455"
	DefaultSelectorLabel      = "app"
	DefaultMaxInputBytes      = 64 << 20
	DefaultMaxItems           = 100000
	DefaultMaxDepth           = 64
	DefaultMaxScalarBytes     = 1 << 20
	DefaultMaxRulesPerAPIRule = 1000
)

// DefaultCors is the API Gateway module's CORS default (2.0.0 and later).
func DefaultCors() *CorsDefaults {
	return &CorsDefaults{
		AllowOrigins: []string{"regex:.*"},
		AllowMethods: []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
		AllowHeaders: []string{"Authorization", "Content-Type", "*"},
	}
}

// Default fills unset settings with their defaults.
func (c *Config) Default() {
	if c.OathkeeperProxy == "" {
		c.OathkeeperProxy = DefaultOathkeeperProxy
	}
	if c.DefaultCorsPolicy == nil {
		c.DefaultCorsPolicy = DefaultCors()
	}
	if c.IstioAPIVersion == "" {
		c.IstioAPIVersion = IstioV1
	}
	if c.SelectorLabel == "" {
		c.SelectorLabel = DefaultSelectorLabel
	}
	if c.APIRules == "" {
		c.APIRules = APIRulesLocal
	}
	if c.Mode == "" {
		c.Mode = ModeRender
	}
	if c.Stderr == "" {
		c.Stderr = StderrWarnings
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxScalarBytes == 0 {
		c.MaxScalarBytes = DefaultMaxScalarBytes
	}
	if c.MaxRulesPerAPIRule == 0 {
		c.MaxRulesPerAPIRule = DefaultMaxRulesPerAPIRule
	}
}

// FieldError is a config problem at a path of the functionConfig.
type FieldError struct {
	Path, Message string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Validate checks what the schema cannot say about a defaulted config: the format of
// oathkeeperProxy and of the <namespace>/<name> keys, non-empty selectors, and
// istiod's rules for values written into Istio objects. Enums, minimums and
// patterns are the schema's (see Load).
func (c *Config) Validate(prefix string) []*FieldError {
	var errs []*FieldError
	add := func(key, format string, a ...any) {
		errs = append(errs, &FieldError{Path: prefix + key, Message: fmt.Sprintf(format, a...)})
	}
	if host, port, err := net.SplitHostPort(c.OathkeeperProxy); err != nil || host == "" {
		add("oathkeeperProxy", "must be host:port, got %q", c.OathkeeperProxy)
	} else if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		add("oathkeeperProxy", "port must be 1..65535, got %q", port)
	}
	// Values written into Istio objects are checked with istiod's rules: the
	// Oathkeeper proxy is a route destination, the CORS default a VirtualService
	// policy, the selectors workload selectors.
	istio := func(key string, err error) {
		if err != nil {
			add(key, "%s", err.Error())
		}
	}
	if host, _, err := net.SplitHostPort(c.OathkeeperProxy); err == nil && host != "" {
		istio("oathkeeperProxy", istiodrules.DestinationHost(host))
	}
	for i, o := range c.DefaultCorsPolicy.AllowOrigins {
		key := fmt.Sprintf("defaultCorsPolicy.allowOrigins[%d]", i)
		// The kind prefix is the schema's pattern (checkSchema); here istiod's rules.
		if k, v, ok := strings.Cut(o, ":"); ok && (k == "regex" || k == "prefix" || k == "exact") {
			err := istiodrules.CORSOrigin(k, v)
			if err == nil && k == "regex" {
				err = urlpath.CheckRE2(v, "the origin regex %q")
			}
			istio(key, err)
		}
	}
	for i, m := range c.DefaultCorsPolicy.AllowMethods {
		istio(fmt.Sprintf("defaultCorsPolicy.allowMethods[%d]", i), istiodrules.CORSMethod(m))
	}
	for i, h := range c.DefaultCorsPolicy.AllowHeaders {
		istio(fmt.Sprintf("defaultCorsPolicy.allowHeaders[%d]", i), istiodrules.CORSHeaderName(h))
	}
	for _, k := range slices.Sorted(maps.Keys(c.ServiceSelectors)) {
		if !isNamespacedName(k) {
			add("serviceSelectors."+k, "key must be <namespace>/<name>")
		}
		if len(c.ServiceSelectors[k]) == 0 {
			add("serviceSelectors."+k, "selector must not be empty")
		}
		istio("serviceSelectors."+k, istiodrules.Selector(c.ServiceSelectors[k]))
	}
	if istiodrules.Selector(map[string]string{c.SelectorLabel: "name"}) != nil {
		add("selectorLabel", "%q would be the key of assumed Service selectors, and istiod refuses a selector key with a wildcard", c.SelectorLabel)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Issuers)) {
		if c.Issuers[k] == "" {
			add("issuers."+k, "issuer must not be empty")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Gateways)) {
		if !isNamespacedName(k) {
			add("gateways."+k, "key must be <namespace>/<name>")
		}
	}
	return errs
}

// OathkeeperHostPort splits OathkeeperProxy; Validate guarantees the format.
func (c *Config) OathkeeperHostPort() (string, uint32) {
	host, port, _ := net.SplitHostPort(c.OathkeeperProxy)
	p, _ := strconv.ParseUint(port, 10, 16)
	return host, uint32(p)
}

// Load reads the function config node (nil for none) and returns a defaulted,
// validated config. Errors name the offending key. The config is untrusted input
// like the APIRules: it is read with yamlsafe at the default depth and scalar limits
// (duplicate keys, merge keys, anchors, aliases and custom tags are errors).
func Load(fc *yaml.RNode) (*Config, []*FieldError) {
	c := &Config{}
	if fc == nil || fc.IsNilOrEmpty() {
		c.Default()
		return c, nil
	}
	if k := fc.YNode().Kind; k != yaml.MappingNode {
		return nil, []*FieldError{{Message: "functionConfig must be a mapping (a Kubernetes object), found " + nodeKinds[k]}}
	}
	plain, errs := decodeYAML(fc.YNode(), "")
	if len(errs) > 0 {
		return nil, errs
	}
	obj := plain.(map[string]any)
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	var values map[string]any
	var prefix string
	switch {
	case apiVersion == APIVersion && kind == Kind:
		prefix = "spec."
		spec, ok := obj["spec"].(map[string]any)
		if !ok && obj["spec"] != nil {
			return nil, []*FieldError{{Path: "spec", Message: "must be a mapping"}}
		}
		values = spec
	case apiVersion == "v1" && kind == "ConfigMap":
		prefix = "data."
		data, ok := obj["data"].(map[string]any)
		if !ok && obj["data"] != nil {
			return nil, []*FieldError{{Path: "data", Message: "must be a mapping"}}
		}
		values = data
	default:
		return nil, []*FieldError{{Message: fmt.Sprintf("unknown functionConfig kind %s %s: expected %s %s or v1 ConfigMap",
			yamlsafe.Escape(apiVersion), yamlsafe.Escape(kind), APIVersion, Kind)}}
	}
	if errs := decode(values, c, prefix, prefix == "data."); len(errs) > 0 {
		return nil, errs
	}
	// The schema checks what is set; Validate the rest, on the defaulted config.
	schemaErrs := c.checkSchema(strings.TrimSuffix(prefix, "."))
	c.Default()
	if errs := append(schemaErrs, c.Validate(prefix)...); len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

var nodeKinds = map[yaml.Kind]string{yaml.DocumentNode: "a document", yaml.SequenceNode: "a list",
	yaml.ScalarNode: "a scalar", yaml.AliasNode: "an alias"}

// decodeYAML reads a config node with yamlsafe; path locates the node.
func decodeYAML(n *yaml.Node, path string) (any, []*FieldError) {
	v, err := yamlsafe.Decode(n, yamlsafe.Limits{MaxDepth: DefaultMaxDepth, MaxScalarBytes: DefaultMaxScalarBytes})
	if err == nil {
		return v, nil
	}
	var e *yamlsafe.Error
	if !errors.As(err, &e) {
		return nil, []*FieldError{{Path: path, Message: err.Error()}}
	}
	switch {
	case path == "":
	case e.Path == "":
		e.Path = path
	default:
		e.Path = path + "." + e.Path
	}
	return nil, []*FieldError{{Path: e.Path, Message: e.Message}}
}

// decode fills c from values, rejecting unknown keys. ConfigMap data holds strings
// only, so non-string settings are parsed from their YAML text first.
func decode(values map[string]any, c *Config, prefix string, fromStrings bool) []*FieldError {
	fields := jsonFields(reflect.TypeOf(*c))
	var errs []*FieldError
	for _, k := range slices.Sorted(maps.Keys(values)) {
		t, ok := fields[k]
		if !ok {
			errs = append(errs, &FieldError{Path: prefix + k, Message: fmt.Sprintf("unknown key %q; known keys: %s",
				k, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))})
			continue
		}
		if s, isStr := values[k].(string); fromStrings && isStr && t.Kind() != reflect.String {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
				errs = append(errs, &FieldError{Path: prefix + k, Message: "cannot parse value: " + err.Error()})
				continue
			}
			parsed, perrs := decodeYAML(&doc, prefix+k)
			if len(perrs) > 0 {
				errs = append(errs, perrs...)
				continue
			}
			values[k] = parsed
		}
		b, err := json.Marshal(map[string]any{k: values[k]})
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			err = dec.Decode(c)
		}
		if err != nil {
			errs = append(errs, &FieldError{Path: prefix + k, Message: "invalid value: " + strings.TrimPrefix(err.Error(), "json: ")})
		}
	}
	return errs
}

// jsonFields maps the config keys (including the embedded Limits) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = f.Type
	}
	return out
}

func isNamespacedName(s string) bool {
	ns, name, ok := strings.Cut(s, "/")
	return ok && ns != "" && name != "" && !strings.Contains(name, "/")
}
