package oathkeeperrule

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/object"
)

// Group, Kind and APIVersion of the Oathkeeper Rule, whose only version is v1alpha1.
const (
	Group      = "oathkeeper.ory.sh"
	Kind       = "Rule"
	APIVersion = Group + "/v1alpha1"
)

// Rule describes one Oathkeeper rule.
type Rule struct {
	// Host and Path make match.url "<http|https>://<host><<path>>": the path is an
	// Oathkeeper regex between the < > delimiters.
	Host, Path string
	Methods    []string
	// Authenticators and Mutators are copied verbatim (name and config); the
	// authorizer is always "allow".
	Authenticators, Mutators []*apirule.Handler
	// UpstreamURL is where Oathkeeper forwards an allowed request.
	UpstreamURL string
}

// MatchURL is the rule's match.url.
func (r Rule) MatchURL() string {
	return "<http|https>://" + r.Host + "<" + r.Path + ">"
}

// Spec returns the Rule spec.
func (r Rule) Spec() (*yaml.Node, error) {
	authn, err := handlers(r.Authenticators)
	if err != nil {
		return nil, err
	}
	spec := object.Pairs(
		"authenticators", authn,
		"authorizer", object.Pairs("handler", "allow"),
		"match", object.Pairs("methods", object.Strs(r.Methods), "url", r.MatchURL()),
	)
	if len(r.Mutators) > 0 {
		mut, err := handlers(r.Mutators)
		if err != nil {
			return nil, err
		}
		spec.Content = append(spec.Content, object.Str("mutators"), mut)
	}
	spec.Content = append(spec.Content, object.Str("upstream"), object.Pairs("url", r.UpstreamURL))
	return spec, nil
}

func handlers(hs []*apirule.Handler) (*yaml.Node, error) {
	n := object.Seq()
	for _, h := range hs {
		hn := object.Pairs("handler", h.Handler)
		if len(bytes.TrimSpace(h.Config)) > 0 && string(bytes.TrimSpace(h.Config)) != "null" {
			var v any
			if err := json.Unmarshal(h.Config, &v); err != nil {
				return nil, fmt.Errorf("handler %s config: %w", h.Handler, err)
			}
			hn.Content = append(hn.Content, object.Str("config"), object.FromPlain(v))
		}
		n.Content = append(n.Content, hn)
	}
	return n, nil
}
