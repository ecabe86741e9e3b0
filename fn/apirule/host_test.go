package apirule

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

func TestHostWithDomain(t *testing.T) {
	assert.Equal(t, "a.example.com", HostWithDomain("a.example.com", "local.kyma.dev"))
	assert.Equal(t, "a.local.kyma.dev", HostWithDomain("a", "local.kyma.dev"))
	// The controller's form when no domain is known; validation fails the APIRule.
	assert.Equal(t, "a.", HostWithDomain("a", ""))
}

func TestResolveV2Host(t *testing.T) {
	assert.Equal(t, "a.local.dev", ResolveV2Host("a", "local.dev"))
	assert.Equal(t, "a", ResolveV2Host("a", ""))
	assert.Equal(t, "a.example.com", ResolveV2Host("a.example.com", "local.dev"))
	assert.Equal(t, "*.example.com", ResolveV2Host("*.example.com", "local.dev"))
	assert.Equal(t, "A", ResolveV2Host("A", "local.dev"), "not a lowercase RFC 1123 label")
}

func TestRoutes(t *testing.T) {
	got := Routes([]V2Rule{{Path: "/a", Methods: []string{"GET"}}, {Path: "/b"}})
	assert.Equal(t, []urlpath.Route{{Path: "/a", Methods: []string{"GET"}}, {Path: "/b"}}, got)
}
