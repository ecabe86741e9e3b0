package istiodrules

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// corsMethods are the methods istiod accepts in a CORS policy, in its spelling: upper
// case only (the APIRule CRD has no enum there, so "get" passes the API server).
var corsMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"}

// CORSMethod checks one entry of allowMethods.
func CORSMethod(m string) error {
	if !slices.Contains(corsMethods, m) {
		return fmt.Errorf("%q is not a method istiod accepts in a CORS policy: use one of %v (upper case)", m, corsMethods)
	}
	return nil
}

// corsHeaderRE is istiod's check of CORS header names: an HTTP token (RFC 9110), except
// that istiod's character class reads "+-." as a range, which also lets "," through.
// So "a,b" passes (Envoy then sends the list as written) and "a, b" does not.
var corsHeaderRE = regexp.MustCompile("^[!#$%&'*+,\\-.^_`|~A-Za-z0-9]+$")

// CORSHeaderName checks one entry of allowHeaders or exposeHeaders: "*" or one header
// name (see corsHeaderRE). Names joined with ", " are refused.
func CORSHeaderName(name string) error {
	switch {
	case name == "":
		return errors.New("the header name is empty: istiod refuses it in a CORS policy")
	case name == "*" || corsHeaderRE.MatchString(name):
		return nil
	}
	return fmt.Errorf("%q is not an HTTP header name: istiod refuses it in a CORS policy (list each header as its own entry)", name)
}

// CORSOrigin checks one allowOrigins match: kind is "exact", "prefix" or "regex".
// istiod refuses an empty match of any kind and a regex longer than MaxRegexLen.
func CORSOrigin(kind, value string) error {
	if value == "" {
		return fmt.Errorf("the %s origin is empty: istiod refuses an empty CORS origin match", kind)
	}
	if kind == "regex" {
		return RegexLength(value)
	}
	return nil
}

// CORSMaxAge checks maxAge as it is written into the policy: istiod refuses less than
// a millisecond, and anything finer than whole seconds (the header carries seconds).
func CORSMaxAge(d time.Duration) error {
	switch {
	case d < time.Millisecond:
		return fmt.Errorf("maxAge %v is below istiod's minimum of 1ms", d)
	case d%time.Second != 0:
		return fmt.Errorf("maxAge %v has sub-second precision: istiod refuses it; use whole seconds", d)
	}
	return nil
}
