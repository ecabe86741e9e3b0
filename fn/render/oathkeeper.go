package render

import (
	"fmt"
	"slices"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
	"github.com/apirule-krm/apirule-fn/fn/kinds/oathkeeperrule"
	"github.com/apirule-krm/apirule-fn/fn/oathkeeperrules"
)

// checkOathkeeper fails rule i when Oathkeeper would refuse its Rule (see package
// oathkeeperrules): a match.url its compiler rejects, at the path, and handler configs
// its schemas reject, at the handler. authn are the strategies the Rule authenticates
// with, a subset of the rule's own.
func (r *v1beta1Renderer) checkOathkeeper(i int, rule *apirule.V1beta1Rule, spec oathkeeperrule.Rule, authn []*apirule.Handler) {
	at := r.rulePath(i)
	if _, err := oathkeeperrules.MatchURL(spec.MatchURL()); err != nil {
		r.out.Fail(at+".path", fmt.Sprintf(
			"the Oathkeeper Rule's match.url %q does not compile with Oathkeeper's rule compiler (%v): Oathkeeper would refuse it, and a Rule it cannot compile breaks the matching of every Rule. The path is a regular expression between < and >, so a < or > in it must be balanced",
			spec.MatchURL(), err))
	}
	for s, h := range rule.AccessStrategies {
		if slices.Contains(authn, h) {
			r.checkHandler(oathkeeperrules.Authenticators, h, fmt.Sprintf("%s.accessStrategies[%d]", at, s))
		}
	}
	for m, h := range rule.Mutators {
		r.checkHandler(oathkeeperrules.Mutators, h, fmt.Sprintf("%s.mutators[%d]", at, m))
	}
}

func (r *v1beta1Renderer) checkHandler(kind string, h *apirule.Handler, at string) {
	for _, e := range oathkeeperrules.HandlerConfig(kind, h.Handler, h.Config) {
		path := at + ".config" + e.Path
		if e.UnknownHandler {
			path = at + ".handler"
		}
		r.out.Fail(path, fmt.Sprintf("%s: Oathkeeper refuses the Rule (handler %s, Oathkeeper v0.40.9's schema)", e.Message, h.Handler))
	}
}
