package validation

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// The JWT checks below are shared by the v2/v2alpha1 validation (rules[i].jwt and
// rules[i].extAuth.restrictions) and the v1beta1 Istio handler (the jwt access
// strategy's config), which run the same code upstream. Each function takes the
// attribute path of the list it checks, so each caller reports under its own paths;
// checks whose wording differs between the versions (an empty list) stay with the
// callers.

// errEmptyValue is the reason given for an empty issuer or jwksUri.
var errEmptyValue = errors.New("value is empty")

// invalidURI reports why value is not a usable URI: empty, or rejected by Go's
// url.ParseRequestURI (the controller's check; it wants an absolute URI or an
// absolute path, so "issuer.example.com" fails and "file://x" passes).
func invalidURI(value string) error {
	if value == "" {
		return errEmptyValue
	}
	_, err := url.ParseRequestURI(value)
	return err
}

// invalidIssuer applies RFC 7519: an issuer is any non-empty string, but one that
// contains ':' must be a URI.
func invalidIssuer(issuer string) error {
	if issuer == "" {
		return errEmptyValue
	}
	if strings.Contains(issuer, ":") {
		return invalidURI(issuer)
	}
	return nil
}

func uriFailure(path string, err error) Failure {
	return Failure{Path: path, Message: fmt.Sprintf("value is empty or not a valid uri err=%s", err)}
}

// JWTAuthentications checks the entries of an `authentications` list: issuer and
// jwksUri, and where tokens come from. listPath is the attribute path of the list,
// e.g. ".spec.rules[0].jwt.authentications"; failures are reported at
// listPath+"[k].issuer", "[k].jwksUri", "[k].fromHeaders" and "[k].fromParams".
//
// Token sources follow the controller: once any entry reads tokens from headers, an
// entry that reads them from params fails (and vice versa), so mixing is rejected
// within one entry as well as across entries; more than one header or param per entry
// also fails. Null entries are skipped (upstream would dereference them).
func JWTAuthentications(listPath string, auths []*apirule.JWTAuthentication) []Failure {
	var failures []Failure
	fromHeaders, fromParams := false, false
	for k, a := range auths {
		if a == nil {
			continue
		}
		at := fmt.Sprintf("%s[%d]", listPath, k)
		if err := invalidIssuer(a.Issuer); err != nil {
			failures = append(failures, uriFailure(at+".issuer", err))
		}
		if err := invalidURI(a.JwksURI); err != nil {
			failures = append(failures, uriFailure(at+".jwksUri", err))
		}
		const mixture = "mixture of multiple fromHeaders and fromParams is not supported"
		if len(a.FromHeaders) > 0 {
			if fromParams {
				failures = append(failures, Failure{Path: at + ".fromHeaders", Message: mixture})
			}
			fromHeaders = true
		}
		if len(a.FromParams) > 0 {
			if fromHeaders {
				failures = append(failures, Failure{Path: at + ".fromParams", Message: mixture})
			}
			fromParams = true
		}
		if len(a.FromHeaders) > 1 {
			failures = append(failures, Failure{Path: at + ".fromHeaders", Message: "multiple fromHeaders are not supported"})
		}
		if len(a.FromParams) > 1 {
			failures = append(failures, Failure{Path: at + ".fromParams", Message: "multiple fromParams are not supported"})
		}
	}
	return failures
}

// JWTAuthorizations checks the entries of an `authorizations` list. listPath is the
// attribute path of the list; failures are reported at listPath+"[k]" (a null entry),
// "[k].requiredScopes" and "[k].audiences". Absent (nil) scopes or audiences are
// fine; present but empty ones, or ones holding "", are not.
func JWTAuthorizations(listPath string, authorizations []*apirule.JWTAuthorization) []Failure {
	var failures []Failure
	for k, a := range authorizations {
		at := fmt.Sprintf("%s[%d]", listPath, k)
		if a == nil {
			failures = append(failures, Failure{Path: at, Message: "authorization is empty"})
			continue
		}
		if msg := emptyValues(a.RequiredScopes, "scope value is empty"); msg != "" {
			failures = append(failures, Failure{Path: at + ".requiredScopes", Message: msg})
		}
		if msg := emptyValues(a.Audiences, "audience value is empty"); msg != "" {
			failures = append(failures, Failure{Path: at + ".audiences", Message: msg})
		}
	}
	return failures
}

// emptyValues returns the failure message for a present list that is empty or holds
// an empty string, "" otherwise.
func emptyValues(values []string, emptyEntry string) string {
	switch {
	case values == nil:
		return ""
	case len(values) == 0:
		return "value is empty"
	case slices.Contains(values, ""):
		return emptyEntry
	}
	return ""
}

// LocatedAuthentication is a JWT authentication and the attribute path it is
// reported at (e.g. ".spec.rules[1].jwt.authentications[0]").
type LocatedAuthentication struct {
	Path           string
	Authentication *apirule.JWTAuthentication
}

// DifferingJWTConfigs reports authentications that reuse an issuer and jwksUri seen
// earlier in auths (in the given order) with different token sources: Istio merges
// them into one RequestAuthentication rule, so they cannot differ. Each later entry
// that differs from the first one of its kind fails with "multiple jwt configurations
// that differ for the same issuer".
//
// As upstream, entries are grouped by issuer and jwksUri concatenated without a
// separator, and the comparison includes both fields, so ("a", "bc") after ("ab", "c")
// also fails. Null entries are skipped.
func DifferingJWTConfigs(auths []LocatedAuthentication) []Failure {
	var failures []Failure
	first := map[string]*apirule.JWTAuthentication{}
	for _, la := range auths {
		a := la.Authentication
		if a == nil {
			continue
		}
		key := a.Issuer + a.JwksURI
		if seen, ok := first[key]; ok && !sameJWTConfig(seen, a) {
			failures = append(failures, Failure{Path: la.Path, Message: "multiple jwt configurations that differ for the same issuer"})
			continue
		}
		first[key] = a
	}
	return failures
}

func sameJWTConfig(a, b *apirule.JWTAuthentication) bool {
	return a.Issuer == b.Issuer && a.JwksURI == b.JwksURI &&
		slices.EqualFunc(a.FromHeaders, b.FromHeaders, sameHeader) &&
		slices.Equal(a.FromParams, b.FromParams)
}

func sameHeader(a, b *apirule.FromHeader) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
