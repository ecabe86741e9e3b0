package requestauthentication

import (
	"sort"
	"strings"

	security "istio.io/api/security/v1"
	typev1beta1 "istio.io/api/type/v1beta1"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// Group and Kind of the generated object; its version is the configured Istio API
// version (render.Context.IstioAPIVersion).
const (
	Group = "security.istio.io"
	Kind  = "RequestAuthentication"
)

// New builds a RequestAuthentication for the workload selector with one JWT rule per
// authentication, in order. The original token is always forwarded, as the
// controller does since 1.7.0, so the upstream still sees the Authorization header.
func New(selector map[string]string, auths []*apirule.JWTAuthentication) *security.RequestAuthentication {
	ra := &security.RequestAuthentication{}
	if selector != nil {
		ra.Selector = &typev1beta1.WorkloadSelector{MatchLabels: selector}
	}
	for _, a := range auths {
		r := &security.JWTRule{Issuer: a.Issuer, JwksUri: a.JwksURI, ForwardOriginalToken: true, FromParams: a.FromParams}
		for _, h := range a.FromHeaders {
			if h != nil {
				r.FromHeaders = append(r.FromHeaders, &security.JWTHeader{Name: h.Name, Prefix: h.Prefix})
			}
		}
		ra.JwtRules = append(ra.JwtRules, r)
	}
	return ra
}

// Key is the controller's de-duplication key: selector labels, issuer:jwksUri pairs
// and namespace. Upstream joins the labels in Go map order, so with several labels it
// sometimes fails to merge identical policies; here they are sorted, so identical
// policies always merge.
func Key(namespace string, selector map[string]string, auths []*apirule.JWTAuthentication) string {
	labels := make([]string, 0, len(selector))
	for k, v := range selector {
		labels = append(labels, k+"="+v+",")
	}
	sort.Strings(labels)
	var b strings.Builder
	b.WriteString(strings.Join(labels, ""))
	b.WriteString(":")
	for _, a := range auths {
		b.WriteString(a.Issuer + ":" + a.JwksURI)
	}
	b.WriteString(":" + namespace)
	return b.String()
}
