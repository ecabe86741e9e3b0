package oathkeeperrules_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/oathkeeperrules"
)

func ExampleMatchURL() {
	re, err := oathkeeperrules.MatchURL("<http|https>://a.example.com</users/[0-9]+>")
	fmt.Println(err)
	fmt.Println(re.MatchString("https://a.example.com/users/42"))
	_, err = oathkeeperrules.MatchURL("<http|https>://a.example.com</a>b>")
	fmt.Println(err)
	// Output:
	// <nil>
	// true <nil>
	// a ">" at byte 33 closes no "<"
}

func ExampleHandlerConfig() {
	fmt.Println(oathkeeperrules.HandlerConfig(oathkeeperrules.Authenticators, "jwt", []byte(`{"requiredScope": ["read"]}`)))
	// Output:
	// [additional properties 'requiredScope' not allowed]
}
