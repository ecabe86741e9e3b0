package processor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// DigestAnnotation carries the digest of what the function generated (Digest): a
// run removes an item carrying OwnerAnnotation only when the digest proves that the
// function generated it as it is.
const DigestAnnotation = "apirule.krm.dev/digest"

// Digest is the digest of a generated object: its API group and kind, the APIRule
// it was generated from, and its spec. Names, namespaces, labels and the other
// annotations are left out, so that objects an overlay moves to another namespace
// (kustomize namespace:) are still recognised; a changed spec is not.
func Digest(apiVersion, kind, owner string, spec *yaml.Node) string {
	group, _, _ := strings.Cut(apiVersion, "/")
	if !strings.Contains(apiVersion, "/") {
		group = ""
	}
	var plain any
	if spec != nil {
		_ = spec.Decode(&plain)
	}
	b, _ := json.Marshal(plain) // sorted keys: one encoding for equal values
	sum := sha256.Sum256([]byte(group + "\x00" + kind + "\x00" + owner + "\x00" + string(b)))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func itemDigest(it *yaml.RNode, owner string) string {
	var spec *yaml.Node
	if f := it.Field("spec"); f != nil {
		spec = f.Value.YNode()
	}
	return Digest(it.GetApiVersion(), it.GetKind(), owner, spec)
}

// prune removes the objects an earlier run generated, proven by their digest. An
// item that carries OwnerAnnotation without a matching digest (hand-written, edited,
// or written by an older apirule-fn) stays, with an error naming it; the removal of
// an object whose APIRule is no longer in the input is reported as info.
func (r *run) prune(items []*yaml.RNode) []*yaml.RNode {
	apiRules := map[string]bool{}
	for _, it := range items {
		if apirule.IsAPIRule(it.GetApiVersion(), it.GetKind()) {
			apiRules[it.GetNamespace()+"/"+it.GetName()] = true
		}
	}
	out := items[:0:0]
	for _, it := range items {
		a := it.GetAnnotations()
		owner, owned := a[OwnerAnnotation]
		if !owned {
			out = append(out, it)
			continue
		}
		what := fmt.Sprintf("%s %s/%s", it.GetKind(), it.GetNamespace(), it.GetName())
		if d, ok := a[DigestAnnotation]; !ok || d != itemDigest(it, owner) {
			why := "its spec differs from what apirule-fn generated (edited by hand?)"
			if !ok {
				why = "it has no " + DigestAnnotation + " annotation (hand-written, or written by an apirule-fn older than the digest)"
			}
			out = append(out, it)
			r.results = append(r.results, result(framework.Error, itemRef(it), "metadata.annotations."+OwnerAnnotation, fmt.Sprintf(
				"%s carries %s: %s, but %s, so it is not removed: delete it to have it generated again, or remove the annotation to keep it as your own object",
				what, OwnerAnnotation, owner, why), fileOf(it)))
			continue
		}
		if !apiRules[owner] {
			r.results = append(r.results, result(framework.Info, itemRef(it), "", fmt.Sprintf(
				"removed %s: it was generated for APIRule %s, which is no longer in the input", what, owner), fileOf(it)))
		}
	}
	return out
}
