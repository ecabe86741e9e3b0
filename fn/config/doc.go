// Package config reads the function config: the typed
// `apirule.krm.dev/v1alpha1 APIRuleTransformer` (settings under spec) or a
// `v1 ConfigMap` with the same keys as flat data (what `kpt fn eval -- k=v`,
// `kustomize fn run -- k=v` and Kptfile `configMap:` send). A missing or empty config
// means defaults. Unknown kinds and unknown keys are errors that name them, because a
// misspelt security setting must not be silently ignored.
//
// Parsing is kept apart from the transformation (as the kpt catalog's set-namespace
// does): the rest of the function only sees a validated *Config.
package config
