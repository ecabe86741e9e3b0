package oathkeeper

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// accessRule is Oathkeeper's own access-rule format, the one its file repository reads.
type accessRule struct {
	ID    string `json:"id"`
	Match struct {
		URL     string   `json:"url"`
		Methods []string `json:"methods"`
	} `json:"match"`
	Authenticators []handler        `json:"authenticators"`
	Authorizer     handler          `json:"authorizer"`
	Mutators       []handler        `json:"mutators"`
	Upstream       accessRuleTarget `json:"upstream"`
}

type accessRuleTarget struct {
	URL          string  `json:"url"`
	StripPath    *string `json:"strip_path,omitempty"`
	PreserveHost bool    `json:"preserve_host"`
}

// toAccessRule converts a Rule object the way oathkeeper-maester does (Rule.ToRuleJSON in its
// api/v1alpha1): id "<name>.<namespace>", match and handlers copied, and maester's defaults for
// what the Rule leaves out: authenticators [unauthorized], authorizer deny, mutators [noop],
// preserve_host false.
//
// One deliberate difference: there is no cluster DNS here, so the upstream URL's host, a Service
// address such as httpbin.default.svc.cluster.local:8000, is replaced by the loopback address
// services maps it to. An upstream that is not in services is an error rather than a silent
// redirect, so a Rule pointing at the wrong Service fails the test.
func toAccessRule(r oryRule, services map[string]string) (accessRule, error) {
	a := accessRule{
		ID:             r.Metadata.Name + "." + r.Metadata.Namespace,
		Authenticators: r.Spec.Authenticators,
		Authorizer:     handler{Handler: "deny"},
		Mutators:       r.Spec.Mutators,
	}
	a.Match.URL, a.Match.Methods = r.Spec.Match.URL, r.Spec.Match.Methods
	if a.Authenticators == nil {
		a.Authenticators = []handler{{Handler: "unauthorized"}}
	}
	if r.Spec.Authorizer != nil {
		a.Authorizer = *r.Spec.Authorizer
	}
	if a.Mutators == nil {
		a.Mutators = []handler{{Handler: "noop"}}
	}
	if r.Spec.Upstream == nil {
		return a, fmt.Errorf("rule %s has no upstream", a.ID)
	}
	target, err := url.Parse(r.Spec.Upstream.URL)
	if err != nil {
		return a, fmt.Errorf("rule %s: upstream: %w", a.ID, err)
	}
	loopback, ok := services[target.Host]
	if !ok {
		return a, fmt.Errorf("rule %s: upstream %s is not a Service this test runs (%v)", a.ID, r.Spec.Upstream.URL, services)
	}
	target.Host = loopback
	a.Upstream = accessRuleTarget{URL: target.String(), StripPath: r.Spec.Upstream.StripPath}
	if r.Spec.Upstream.PreserveHost != nil {
		a.Upstream.PreserveHost = *r.Spec.Upstream.PreserveHost
	}
	return a, nil
}

// accessRules converts rendered Rules for Oathkeeper (see toAccessRule).
func accessRules(t *testing.T, rules []oryRule, services map[string]string) []accessRule {
	t.Helper()
	out := make([]accessRule, len(rules))
	for i, r := range rules {
		var err error
		out[i], err = toAccessRule(r, services)
		require.NoError(t, err)
	}
	return out
}
