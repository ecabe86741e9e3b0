// Package yamlsafe turns an untrusted YAML node (an APIRule, the function config)
// into plain JSON-like Go values, refusing every construct that two YAML decoders
// could read differently.
//
// The API server never sees YAML: kubectl and the GitOps tools convert it to JSON
// with sigs.k8s.io/yaml (YAML 1.1 rules, last duplicate key wins), while kyaml reads
// it with yaml.v3 (YAML 1.2 rules, first duplicate key wins). Where the two disagree
// the function would render one policy and the cluster would store another, so such
// input is an error here: duplicate keys, merge keys (<<), anchors and aliases, custom
// or binary tags, non-string keys, and plain keys and values that YAML 1.1 reads as
// booleans (yes, on, off, ...) or as octal numbers (0700). Plain dates stay text, as
// in sigs.k8s.io/yaml. Nesting depth (mappings and sequences) and scalar size are
// bounded as well. The non-specific tag "!" leaves no trace in a node; krmio refuses
// it in the source text.
package yamlsafe
