package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/cluster"
	"github.com/apirule-krm/apirule-fn/fn/config"
	"github.com/apirule-krm/apirule-fn/fn/kinds/virtualservice"
	"github.com/apirule-krm/apirule-fn/fn/object"
	"github.com/apirule-krm/apirule-fn/fn/urlpath"
	"github.com/apirule-krm/apirule-fn/fn/validation"
)

// Severity of a Finding, as in KRM function results.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is a validation failure or a notice about one APIRule.
type Finding struct {
	Severity Severity
	// Path is the attribute path without a leading dot ("spec.rules[0].path"), or ""
	// for the APIRule as a whole.
	Path    string
	Message string
}

// Output is the result of rendering one APIRule.
type Output struct {
	// Objects are the generated objects in output order, with APIVersion, Kind,
	// Namespace, Key, Labels and Spec set; the processor names and annotates them.
	Objects []*object.Object
	// Findings are failures (Severity Error: the APIRule produces no objects) and
	// notices (warnings and infos) in the order found.
	Findings []Finding
	// Applied lists what the controller would already have applied when it failed
	// part-way (a v1beta1 VirtualService before a missing Service stops the Istio
	// handler). Never emitted; later APIRules see its hosts as occupied, as they
	// would in the cluster.
	Applied []*object.Object
	// Hosts are the hosts of the VirtualService in Objects or Applied: later APIRules
	// of the run see them as occupied.
	Hosts []string
	// V2 or V1beta1 is the typed APIRule as it was rendered (a v1alpha1 APIRule as its
	// v1beta1 conversion, a v1beta1 one created as v2 as its v2alpha1 conversion), for
	// the checks; IstioHandler reports that v1beta1 jwt rules are enforced by Istio.
	V2           *apirule.V2APIRule
	V1beta1      *apirule.V1beta1APIRule
	IstioHandler bool
	// Assumptions are the Gateways and Services the APIRule refers to that the input
	// does not hold, each once, in the order found. They are not findings: the checks
	// report them (AF701, AF702), so that they can be waived and strict makes them
	// errors.
	Assumptions []cluster.Assumption
}

// Failed reports whether any finding is an error.
func (o *Output) Failed() bool {
	for _, f := range o.Findings {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Fail records a controller validation failure. Paths are given as the controller
// writes them, with or without the leading dot.
func (o *Output) Fail(path, message string) {
	o.Findings = append(o.Findings, Finding{Severity: Error, Path: trimDot(path), Message: message})
}

// FailAll records validation failures.
func (o *Output) FailAll(failures []validation.Failure) {
	for _, f := range failures {
		o.Fail(f.Path, f.Message)
	}
}

// checkRegexes fails the APIRule for every regex of its VirtualService that RE2
// refuses: each rule's URI regex (checkPath checks rule i) and each regex
// origin of the CORS policy. The controller would write such a VirtualService and
// istiod would reject it on apply; render time says so, naming the field.
func (o *Output) checkRegexes(n int, checkPath func(i int) error, cors *apirule.CorsPolicy) {
	for i := 0; i < n; i++ {
		if err := checkPath(i); err != nil {
			o.Fail(fmt.Sprintf("spec.rules[%d].path", i), err.Error())
		}
	}
	if cors == nil {
		return
	}
	for i, origin := range cors.AllowOrigins {
		if re, ok := origin["regex"]; ok {
			if err := urlpath.CheckRE2(re, "the origin regex %q"); err != nil {
				o.Fail(fmt.Sprintf("spec.corsPolicy.allowOrigins[%d].regex", i), err.Error())
			}
		}
	}
}

// Warn records a warning.
func (o *Output) Warn(path, message string) {
	o.Findings = append(o.Findings, Finding{Severity: Warning, Path: trimDot(path), Message: message})
}

// Assumed records a render-time assumption at the APIRule field that refers to the
// assumed object (the cluster view knows the object, not the field), once per APIRule
// and field however many rules lead to it.
func (o *Output) Assumed(a *cluster.Assumption, path string) {
	if a == nil {
		return
	}
	at := *a
	if at.Path == "" {
		at.Path = path
	}
	if !slices.Contains(o.Assumptions, at) {
		o.Assumptions = append(o.Assumptions, at)
	}
}

func trimDot(p string) string {
	if len(p) > 0 && p[0] == '.' {
		return p[1:]
	}
	return p
}

// Context is what renderers need besides the APIRule; one Context serves every
// APIRule of a run. Make it with NewContext.
type Context struct {
	Config  *config.Config
	Cluster *cluster.View
	// jwtHandler is the v1beta1 JWT handler (config.HandlerOry or HandlerIstio), and
	// jwtHandlerErr the controller's global failure when the configured one is
	// unusable, which fails every APIRule, v2 included. Resolved once by NewContext.
	jwtHandler    string
	jwtHandlerErr error
}

// NewContext resolves what every APIRule of the run shares.
func NewContext(cfg *config.Config, view *cluster.View) *Context {
	ctx := &Context{Config: cfg, Cluster: view}
	ctx.jwtHandler, ctx.jwtHandlerErr = view.JWTHandler()
	return ctx
}

// JWTHandler is the v1beta1 JWT handler in effect and, when the configured one is
// unusable, the controller's global failure.
func (c *Context) JWTHandler() (string, error) { return c.jwtHandler, c.jwtHandlerErr }

// IstioAPIVersion is the apiVersion of a generated Istio object of the given group:
// the group and the configured Istio API version.
func (c *Context) IstioAPIVersion(group string) string {
	return group + "/" + c.Config.IstioAPIVersion
}

// defaultTimeout is the route timeout when neither the rule nor the spec sets one
// (v2 always; v1beta1 since 1.5.0).
const defaultTimeout = 180 * time.Second

// routeTimeout is the rule's timeout, else the spec's, else defaultTimeout (seconds).
func routeTimeout(rule, spec *int64) time.Duration {
	switch {
	case rule != nil:
		return time.Duration(*rule) * time.Second
	case spec != nil:
		return time.Duration(*spec) * time.Second
	}
	return defaultTimeout
}

// cookieHeader joins cookies into one Cookie request header. The controller joins
// them in Go map order, which changes between reconciliations; here they are sorted
// by name ("a=1; b=2"), which Envoy and upstream services read the same way.
func cookieHeader(cookies map[string]string) virtualservice.Header {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(cookies)) {
		pairs = append(pairs, k+"="+cookies[k])
	}
	return virtualservice.Header{Name: "Cookie", Value: strings.Join(pairs, "; ")}
}
