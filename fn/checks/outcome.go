package checks

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
)

// WaiveAnnotation lists, comma-separated, the IDs of the checks an APIRule waives:
// their findings on it become info results.
const WaiveAnnotation = "apirule.krm.dev/waive"

// ParseWaivers reads the value of WaiveAnnotation. IDs that name no check are
// returned as unknown, so that a misspelt waiver is reported instead of ignored.
func ParseWaivers(value string, checks []*Check) (waived map[string]bool, unknown []string) {
	waived = map[string]bool{}
	for _, id := range strings.Split(value, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !slices.ContainsFunc(checks, func(c *Check) bool { return c.ID == id }) {
			unknown = append(unknown, id)
			continue
		}
		waived[id] = true
	}
	return waived, unknown
}

// Resolve returns the severity and message of a finding's result: a warning, an
// error under strict, info when the APIRule waives the check.
func Resolve(f Finding, strict bool) (framework.Severity, string) {
	head := fmt.Sprintf("%s (%s)", f.Check.ID, f.Check.Severity)
	switch {
	case f.APIRule.Waived[f.Check.ID]:
		return framework.Info, fmt.Sprintf("%s, waived by %s: %s", head, WaiveAnnotation, f.Message)
	case strict:
		return framework.Error, fmt.Sprintf("%s: %s (strict: true; if this is intended, waive it with the annotation %s: %q)",
			head, f.Message, WaiveAnnotation, f.Check.ID)
	}
	return framework.Warning, head + ": " + f.Message
}

// Tags are the result tags of a finding: the check's ID and severity, for tools
// that filter results.
func Tags(f Finding) map[string]string {
	return map[string]string{"check": f.Check.ID, "severity": string(f.Check.Severity)}
}
