package checks

import (
	"fmt"
	"slices"
)

// Severity says how much a finding of a check weakens protection.
type Severity string

// Severities, from requests passing that an APIRule means to stop (high) to settings
// that make a mistake likelier (low).
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// Check is one kind of hazard.
type Check struct {
	// ID is stable across releases: waivers and CI filters name it.
	ID       string
	Severity Severity
	// Why says in one line what is at risk.
	Why string
	// Fix says in one line how to remove the hazard.
	Fix string
	// Run reports the check's findings on the whole render.
	Run func(r *Render, report *Report)
}

// Finding is one hazard on one APIRule.
type Finding struct {
	Check   *Check
	APIRule *APIRule
	// Path is the attribute path in the APIRule ("spec.rules[1].path"), "" for the
	// APIRule as a whole.
	Path    string
	Message string
}

// Report collects the findings of one check.
type Report struct {
	check    *Check
	findings []Finding
}

// At reports a finding on ar at path.
func (r *Report) At(ar *APIRule, path, format string, a ...any) {
	r.findings = append(r.findings, Finding{Check: r.check, APIRule: ar, Path: path, Message: fmt.Sprintf(format, a...)})
}

// Run runs the checks on the render and returns their findings grouped by APIRule
// (in item order) and, within one APIRule, in the order of the checks.
func Run(r *Render, checks []*Check) []Finding {
	var out []Finding
	for _, c := range checks {
		rep := &Report{check: c}
		c.Run(r, rep)
		out = append(out, rep.findings...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return a.APIRule.index - b.APIRule.index })
	return out
}
