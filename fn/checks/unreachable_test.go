package checks

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUnreachable follows istiod's analyzeUnreachableHTTPRules: the function's own
// renderers never write such routes today (the controller's validation refuses rules on
// one path and method), so the cases are VirtualService routes, not APIRules.
func TestUnreachable(t *testing.T) {
	match := func(path string, methods ...string) map[string]any {
		m := map[string]any{"uri": map[string]any{"regex": path}}
		if len(methods) > 0 {
			m["method"] = map[string]any{"regex": methods[0]}
		}
		return m
	}
	route := func(matches ...map[string]any) httpRoute { return httpRoute{Match: matches} }
	for _, tc := range []struct {
		name   string
		routes []httpRoute
		want   string
	}{
		{"distinct matches", []httpRoute{route(match("/a")), route(match("/b")), route()}, "[]"},
		{"same match again", []httpRoute{route(match("/a", "GET")), route(match("/a", "GET"))}, "[{1 every match of it is a match of an earlier route}]"},
		{"near miss: same path, other method", []httpRoute{route(match("/a", "GET")), route(match("/a", "POST"))}, "[]"},
		{"near miss: one match new", []httpRoute{route(match("/a")), route(match("/a"), match("/b"))}, "[]"},
		{"all matches seen in two earlier routes", []httpRoute{route(match("/a")), route(match("/b")), route(match("/b"), match("/a"))},
			"[{2 every match of it is a match of an earlier route}]"},
		{"after a catch-all", []httpRoute{route(), route(match("/a")), route()},
			"[{1 route 0 before it has no matches and takes every request} {2 route 0 before it has no matches, only the last route may}]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, fmt.Sprint(unreachable(tc.routes)))
		})
	}
}
