package oathkeeperrules

import (
	"encoding/json"
	"testing"
)

// Every v1beta1 rule secured by Oathkeeper pays one MatchURL and a HandlerConfig per
// handler: a few microseconds each keep 10,000 Rules well under a second.
func BenchmarkMatchURL(b *testing.B) {
	for b.Loop() {
		if _, err := MatchURL("<http|https>://httpbin.local.kyma.dev</anything/[a-z0-9-]+/.*>"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandlerConfig(b *testing.B) {
	config := json.RawMessage(`{"jwks_urls": ["https://i.example.com/jwks"], "trusted_issuers": ["https://i.example.com"], "required_scope": ["read"]}`)
	for b.Loop() {
		if errs := HandlerConfig(Authenticators, "jwt", config); errs != nil {
			b.Fatal(errs)
		}
	}
}
