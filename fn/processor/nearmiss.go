package processor

import (
	"cmp"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/config"
)

// nearMisses reports what a user meant for the function but would otherwise pass
// through unrendered without a word: an input that holds only the function config
// (the function listed under kustomize's generators:), the config among the
// resources, and items that are almost APIRules. Each is an error where applying the
// output would fail anyway (the cluster has no such kind), else a warning.
func nearMisses(fc *yaml.RNode, items []*yaml.RNode) framework.Results {
	if fc != nil && len(items) == 1 && isTransformerConfig(items[0]) {
		return framework.Results{result(framework.Error, itemRef(items[0]), "", "the input holds nothing but the function config: "+
			"kustomize runs apirule-fn as a generator (listed under generators:), which never sees the APIRules; list it under transformers:", fileOf(items[0]))}
	}
	var results framework.Results
	for _, it := range items {
		ref, file := itemRef(it), fileOf(it)
		switch {
		case isTransformerConfig(it) && it.GetAnnotations()[LocalConfigAnnotation] != "true":
			results = append(results, result(framework.Error, ref, "kind", "the function config is among the resources and would be applied "+
				"to the cluster, which has no "+config.Kind+": list its file under transformers: (kustomize), not resources:, "+
				"or mark it "+LocalConfigAnnotation+": \"true\" (kpt)", file))
		case isTransformerConfig(it) && fc == nil:
			results = append(results, result(framework.Warning, ref, "", "this "+config.Kind+" is not the function config, so the defaults "+
				"apply: pass it as the function config (Kptfile configPath:, kpt fn eval --fn-config)", file))
		default:
			if path, hint := almostAPIRule(it.GetApiVersion(), it.GetKind()); path != "" {
				results = append(results, result(framework.Error, ref, path, "not rendered: "+hint, file))
			}
		}
	}
	return results
}

func isTransformerConfig(it *yaml.RNode) bool {
	group, _, _ := strings.Cut(it.GetApiVersion(), "/")
	return group == config.Group && it.GetKind() == config.Kind
}

// almostAPIRule returns the field and a hint when apiVersion and kind are close to
// an APIRule's without being one: the kind spelt in another case or plural, or the
// group misspelt ("gateway.kyma.project.io") or missing.
func almostAPIRule(apiVersion, kind string) (path, hint string) {
	if apirule.IsAPIRule(apiVersion, kind) {
		return "", ""
	}
	group, version, grouped := strings.Cut(apiVersion, "/")
	if !grouped {
		group, version = "", apiVersion
	}
	kindClose := kind == apirule.Kind || strings.EqualFold(kind, apirule.Kind) || strings.EqualFold(kind, apirule.Kind+"s")
	groupClose := group == apirule.Group || group == "" || strings.Contains(group, "kyma") || editDistance(group, apirule.Group) <= 3
	switch {
	case !kindClose || !groupClose:
		return "", ""
	case kind != apirule.Kind:
		return "kind", fmt.Sprintf("kind %q is not %q: only kind %s of %s is rendered", kind, apirule.Kind, apirule.Kind, apirule.Group)
	}
	return "apiVersion", fmt.Sprintf("apiVersion %q is not an APIRule version: the group is %s (apiVersion %s/%s)",
		apiVersion, apirule.Group, apirule.Group, cmp.Or(version, apirule.V2))
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
