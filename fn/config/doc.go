// Package config reads the function config: the typed
// `apirule.krm.dev/v1alpha1 APIRuleTransformer` (settings under spec) or a
// `v1 ConfigMap` with the same keys as flat data (what `kpt fn eval -- k=v`,
// `kustomize fn run -- k=v` and Kptfile `configMap:` send). A missing or empty config
// means defaults. Unknown kinds and unknown keys are errors that name them, because a
// misspelt security setting must not be silently ignored.
//
// Config is the one source of the config keys: struct tags declare each key, its
// enum, minimum, pattern and help text (keys.go explains them), Default its default.
// The published schema (--schema), the key list of --help and the structural checks
// of Load are generated from them; Validate keeps only the rules a schema cannot
// state. TestEveryKeyIsDocumented asks for the README row.
//
// Parsing is kept apart from the transformation (as the kpt catalog's set-namespace
// does): the rest of the function only sees a validated *Config.
package config
