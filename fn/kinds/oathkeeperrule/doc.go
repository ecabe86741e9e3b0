// Package oathkeeperrule builds the spec of an Oathkeeper access rule
// (oathkeeper.ory.sh/v1alpha1 Rule) for one APIRule rule that Oathkeeper secures.
// There is no Go API module for it, so the spec is written as a YAML node in the
// field order of the CRD.
package oathkeeperrule
