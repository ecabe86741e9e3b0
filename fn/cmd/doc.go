// Package cmd is the command line of apirule-fn: the KRM function on stdin/stdout
// (what kustomize, kpt and GitOps tools run), the standalone mode
// `apirule-fn CONFIG.yaml FILE...`, and plain multi-document YAML on stdin.
//
// It does its own ResourceList reading and writing (package krmio) instead of
// kyaml's command.Build, for three reasons: output is streamed item by item (the
// bulk of a kyaml function's time and memory is its writer), the input is bounded
// before it is parsed, and every error reaches stderr as one line with a newline,
// which is all kustomize shows its users.
package cmd
