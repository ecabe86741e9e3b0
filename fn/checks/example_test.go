package checks_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/checks"
)

// A finding becomes a warning, an error under strict, and info when its APIRule
// waives the check.
func ExampleResolve() {
	var check *checks.Check
	for _, c := range checks.All {
		if c.ID == "AF504" {
			check = c
		}
	}
	waived, unknown := checks.ParseWaivers(" AF504, AF999", checks.All)
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
	// info AF504 (medium), waived by apirule.krm.dev/waive: ...
}
