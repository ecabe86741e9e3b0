package checks_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/checks"
)

// A finding becomes a warning, an error under strict, and info when its APIRule
// waives the check.
func ExampleResolve() {
	check := checks.All[0]
	waived, unknown := checks.ParseWaivers(" "+check.ID+", AF999", checks.All)
	fmt.Println("unknown:", unknown)

	f := checks.Finding{Check: check, APIRule: &checks.APIRule{}, Path: "spec.rules[0].path", Message: "..."}
	sev, _ := checks.Resolve(f, false)
	fmt.Println(sev)
	sev, _ = checks.Resolve(f, true)
	fmt.Println(sev)
	f.APIRule.Waived = waived
	sev, msg := checks.Resolve(f, true)
	fmt.Println(sev, msg)
	// Output:
	// unknown: [AF999]
	// warning
	// error
	// info AF310 (medium), waived by apirule.krm.dev/waive: ...
}
