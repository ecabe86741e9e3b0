// Package processor is the KRM function: a kyaml framework.ResourceListProcessor
// that finds the APIRules among the items, renders each into the objects the Kyma
// API Gateway controller would create, and puts them right after their APIRule.
//
// A run is idempotent. Every generated object carries the annotation
// apirule.krm.dev/generated-from: <namespace>/<name> of its APIRule; each run first
// removes every item carrying it (so objects of deleted or renamed APIRules go too)
// and then generates again. Items without it are never changed, except that APIRules
// are marked config.kubernetes.io/local-config (config apiRules: local) so that
// kustomize drops them from its output and kpt live apply skips them; APIRules are
// never removed, because kpt would delete their files.
//
// APIRules are processed in item order and later ones see the VirtualServices of
// earlier ones, as the controller sees objects created before: a host claimed twice
// fails on the later APIRule ("occupied").
package processor
