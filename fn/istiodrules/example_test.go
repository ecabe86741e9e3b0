package istiodrules_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/istiodrules"
)

// A renderer checks each value before it writes it, and reports the error at the
// field the value comes from.
func Example() {
	for _, v := range []string{"%REQ(:AUTHORITY)%", "100%%", "100%"} {
		fmt.Println(istiodrules.HeaderValue(v))
	}
	fmt.Println(istiodrules.PolicyPath("/users/{id}"))
	// Output:
	// <nil>
	// <nil>
	// header value "100%" is not a valid Envoy header format (un-escaped % at the end): istiod refuses it. Envoy reads %NAME% as a variable; write %% for a literal %
	// AuthorizationPolicy path "/users/{id}" contains '{' or '}' outside the templates {*} and {**}, which istiod refuses
}
