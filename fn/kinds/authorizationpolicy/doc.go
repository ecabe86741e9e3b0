// Package authorizationpolicy builds Istio AuthorizationPolicy specs for one APIRule
// rule and one authorization: ALLOW policies with principals, request principals and
// scope/audience conditions, and CUSTOM policies that hand the request to an
// extension provider.
package authorizationpolicy
