// Package checks finds where what the function renders is more permissive than the
// APIRules read, or where a setting weakens protection in silence, and says so.
//
// The objects themselves stay at parity with the Kyma controller: a check never
// changes the output. It reports a finding on the APIRule, at the field that causes
// it, naming the other APIRule or object involved. The checks see the whole render
// (Render): every APIRule that rendered in this run with its generated objects, and
// the Istio and Oathkeeper objects the input already holds, so that hazards between
// APIRules, namespaces and hand-written objects are found, not only those inside one
// APIRule.
//
// Every check has a stable ID, a severity and a one-line why and fix (Check); the
// README's checks table lists them. Resolve turns findings into outcomes: a warning
// by default, an error under `strict: true`, and info when the APIRule waives the
// check with the annotation apirule.krm.dev/waive (a waiver is never silent).
//
// # Adding a check
//
// Write the check as a *Check value in a file of this package (one file per class of
// hazard), with a table test of inputs that trigger it and near misses that must not,
// add it to the list in registry.go, and add its row to the README's checks table.
// TestRegistry keeps IDs unique and the README in step.
package checks
