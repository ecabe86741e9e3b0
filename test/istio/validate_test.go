package istio

import (
	"strings"
	"testing"
)

// TestIstiodAcceptsEveryProducedObject sends every Istio object the corpus produces to istiod's
// validating webhook: one refusal would make a kubectl apply (or an Argo CD / Flux sync) of the
// whole render fail.
func TestIstiodAcceptsEveryProducedObject(t *testing.T) {
	webhook, err := newIstiod()
	if err != nil {
		t.Fatal(err)
	}
	runs := corpusRuns(t)
	var objects, warned int
	perSource := map[string]int{}
	for _, r := range runs {
		for _, o := range r.outputs {
			if !istioObject(o) {
				continue
			}
			v, err := webhook.review(o)
			if err != nil {
				t.Fatalf("%s: %v", describe(r, o), err)
			}
			objects++
			perSource[strings.SplitN(r.name, "/", 2)[0]]++
			if !v.Allowed {
				t.Errorf("%s: istiod refuses it: %s", describe(r, o), v.Message)
			}
			if len(v.Warnings) > 0 {
				warned++
				t.Logf("%s: istiod warns: %s", describe(r, o), strings.Join(v.Warnings, "; "))
			}
		}
	}
	t.Logf("%d runs, %d Istio objects validated by istiod's webhook (by source: %v), %d with warnings", len(runs), objects, perSource, warned)
	if perSource["conformance"] < 100 || perSource["examples"] == 0 {
		t.Errorf("too few objects validated: %v (the corpus did not run?)", perSource)
	}
}

// TestWebhookRefuses shows that the in-memory webhook refuses what istiod refuses, so that
// the test above cannot pass because nothing is checked.
func TestWebhookRefuses(t *testing.T) {
	webhook, err := newIstiod()
	if err != nil {
		t.Fatal(err)
	}
	vs := func(spec obj) obj {
		return obj{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
			"metadata": obj{"name": "a", "namespace": "demo"}, "spec": spec}
	}
	route := []any{obj{"route": []any{obj{"destination": obj{"host": "httpbin.demo.svc.cluster.local", "port": obj{"number": 8000}}}}}}
	for _, tc := range []struct {
		name    string
		object  obj
		allowed bool
		message string
	}{
		{"valid", vs(obj{"hosts": []any{"a.example.com"}, "gateways": []any{"kyma-system/kyma-gateway"}, "http": route}), true, ""},
		{"host label with underscore", vs(obj{"hosts": []any{"a_b.example.com"}, "http": route}), false, "a_b.example.com"},
		{"lower-case CORS method", vs(obj{"hosts": []any{"a.example.com"}, "http": []any{obj{
			"route": route[0].(obj)["route"], "corsPolicy": obj{"allowMethods": []any{"get"}}}}}), false, "get"},
		{"unknown top-level field", obj{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
			"metadata": obj{"name": "a", "namespace": "demo"}, "spec": obj{"hosts": []any{"a.example.com"}, "http": route}, "extra": 1}, false, "extra"},
		{"RequestAuthentication jwksUri scheme", obj{"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication",
			"metadata": obj{"name": "a", "namespace": "demo"}, "spec": obj{"jwtRules": []any{obj{"issuer": "https://issuer", "jwksUri": "javascript:alert(1)"}}}}, false, "javascript"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := webhook.review(tc.object)
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed != tc.allowed || !strings.Contains(v.Message, tc.message) {
				t.Errorf("allowed %v (%q), want %v containing %q", v.Allowed, v.Message, tc.allowed, tc.message)
			}
		})
	}
}
