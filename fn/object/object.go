package object

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Object is one generated object before it becomes an item of the ResourceList.
type Object struct {
	APIVersion string
	Kind       string
	Namespace  string
	// Name is set by SetName from the APIRule and the object's Key.
	Name string
	// Key tells the object apart from the other objects of the same APIRule and kind.
	// It is built from what the object is for (a rule's path and methods, an issuer
	// set), never from positions alone, so that the name survives unrelated edits.
	Key         string
	Labels      map[string]string
	Annotations map[string]string
	Spec        *yaml.Node
}

// maxNameLen keeps names valid as label values and DNS-1123 labels, which some
// tools (and the Kyma controller's own lookups) assume for Istio objects.
const maxNameLen = 63

// hashLen is the length of the hex suffix: 40 bits make an accidental collision
// within one namespace practically impossible; the processor still checks.
const hashLen = 10

// SetName gives the object its deterministic name: "<apirule>-<hash>", where the
// hash covers the APIRule's namespace and name, the object's kind and its Key. The
// APIRule part is shortened so that the name fits in 63 characters.
//
// The Kyma controller sets only generateName "<apirule>-" and lets the API server
// pick a random suffix; render-time output must be appliable and stable, so the
// suffix is derived instead.
func (o *Object) SetName(apiRuleNamespace, apiRuleName string) {
	sum := sha256.Sum256([]byte(strings.Join([]string{apiRuleNamespace, apiRuleName, o.Kind, o.Key}, "\x00")))
	suffix := hex.EncodeToString(sum[:])[:hashLen]
	prefix := apiRuleName
	if max := maxNameLen - hashLen - 1; len(prefix) > max {
		prefix = strings.TrimRight(prefix[:max], "-.")
	}
	o.Name = prefix + "-" + suffix
}

// Node returns the object as a YAML mapping: apiVersion, kind, metadata, spec.
func (o *Object) Node() *yaml.Node {
	md := Map()
	if len(o.Annotations) > 0 {
		md.Content = append(md.Content, Str("annotations"), sortedMap(o.Annotations))
	}
	if len(o.Labels) > 0 {
		md.Content = append(md.Content, Str("labels"), sortedMap(o.Labels))
	}
	md.Content = append(md.Content, Str("name"), Str(o.Name))
	if o.Namespace != "" {
		md.Content = append(md.Content, Str("namespace"), Str(o.Namespace))
	}
	n := Pairs("apiVersion", o.APIVersion, "kind", o.Kind, "metadata", md)
	if o.Spec != nil {
		n.Content = append(n.Content, Str("spec"), o.Spec)
	}
	return n
}

func sortedMap(m map[string]string) *yaml.Node { return SortedMap(m, Str) }
