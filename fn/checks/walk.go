package checks

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// located is a value of an APIRule and the attribute path it is at.
type located[T any] struct {
	ar    *APIRule
	path  string
	value T
}

// jwtBlocks are the places where APIRules configure Istio JWT validation: v2 jwt and
// extAuth restrictions, and v1beta1 jwt access strategies in the Istio shape
// (authentications), whichever handler the APIRule renders under.
func jwtBlocks(r *Render) []located[*apirule.JWT] {
	var out []located[*apirule.JWT]
	for _, ar := range r.APIRules {
		out = append(out, jwtBlocksOf(ar)...)
	}
	return out
}

// jwtBlocksOf are the jwtBlocks of one APIRule.
func jwtBlocksOf(ar *APIRule) []located[*apirule.JWT] {
	var out []located[*apirule.JWT]
	if ar.V2 != nil && ar.V2.Spec != nil {
		for i, rule := range ar.V2.Spec.Rules {
			at := fmt.Sprintf("spec.rules[%d]", i)
			if rule.JWT != nil {
				out = append(out, located[*apirule.JWT]{ar, at + ".jwt", rule.JWT})
			}
			if rule.ExtAuth != nil && rule.ExtAuth.Restrictions != nil {
				out = append(out, located[*apirule.JWT]{ar, at + ".extAuth.restrictions", rule.ExtAuth.Restrictions})
			}
		}
	}
	for _, h := range handlers(ar, false) {
		if h.value.Handler != apirule.StrategyJWT {
			continue
		}
		var j apirule.JWT
		if json.Unmarshal(h.value.Config, &j) == nil && len(j.Authentications) > 0 {
			out = append(out, located[*apirule.JWT]{ar, h.path + ".config", &j})
		}
	}
	return out
}

// handlers are the access strategies of a v1beta1 APIRule, and its mutators too when
// withMutators is set, at their paths ("spec.rules[0].accessStrategies[1]").
func handlers(ar *APIRule, withMutators bool) []located[*apirule.Handler] {
	if ar.V1beta1 == nil {
		return nil
	}
	var out []located[*apirule.Handler]
	for i, rule := range ar.V1beta1.Spec.Rules {
		add := func(kind string, hs []*apirule.Handler) {
			for j, h := range hs {
				if h != nil {
					out = append(out, located[*apirule.Handler]{ar, fmt.Sprintf("spec.rules[%d].%s[%d]", i, kind, j), h})
				}
			}
		}
		add("accessStrategies", rule.AccessStrategies)
		if withMutators {
			add("mutators", rule.Mutators)
		}
	}
	return out
}

// configStrings calls fn for every string in a handler's config, with its path and
// the name of the key it is under (for list entries, the list's key).
func configStrings(h located[*apirule.Handler], fn func(path, key, value string)) {
	var v any
	if json.Unmarshal(h.value.Config, &v) != nil {
		return
	}
	var walk func(path, key string, v any)
	walk = func(path, key string, v any) {
		switch x := v.(type) {
		case string:
			fn(path, key, x)
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), key, e)
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(path+"."+k, k, x[k])
			}
		}
	}
	walk(h.path+".config", "", v)
}
