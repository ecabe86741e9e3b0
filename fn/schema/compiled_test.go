package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompileAndCheck(t *testing.T) {
	s, err := Compile(map[string]any{
		"type": "object",
		"properties": map[string]any{
			"mode":  map[string]any{"type": "string", "enum": []any{"a", "b"}},
			"limit": map[string]any{"type": "integer", "minimum": 1},
		},
	})
	require.NoError(t, err)
	assert.Empty(t, s.Check(map[string]any{"mode": "a", "limit": 2}, "spec"))
	assert.Equal(t, []Violation{
		{Path: "spec.limit", Message: "Invalid value: 0: spec.limit in body should be greater than or equal to 1"},
		{Path: "spec.mode", Message: `Unsupported value: "c": supported values: "a", "b"`},
		{Path: "spec.other", Message: "Unknown field: not in the schema (the API server would prune it silently)"},
	}, s.Check(map[string]any{"mode": "c", "limit": 0, "other": true}, "spec"))

	_, err = Compile(map[string]any{"type": "string", "default": "x"})
	assert.ErrorContains(t, err, `schema keyword "default" is not implemented`)
}
