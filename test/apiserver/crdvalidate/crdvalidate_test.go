package crdvalidate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitYAML(t *testing.T) {
	docs, err := SplitYAML(strings.NewReader("# leading comment\n---\na: 1\n---\n# only a comment\n---\nb: [2]\n...\n"))
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Contains(t, string(docs[0]), "a: 1")
	assert.Contains(t, string(docs[1]), "b: [2]")
}

func TestDecodeJSONKeepsIntegers(t *testing.T) {
	m, err := DecodeJSON([]byte("port: 8000\nratio: 0.5\nbig: 8e3\n"))
	require.NoError(t, err)
	assert.Equal(t, int64(8000), m["port"])
	assert.Equal(t, 0.5, m["ratio"])
	assert.Equal(t, int64(8000), m["big"], "YAML to JSON writes the integral float 8e3 as 8000")
}

func TestValidateUnknownKind(t *testing.T) {
	_, err := NewSet().Validate(map[string]any{"apiVersion": "example.com/v1", "kind": "Thing"})
	assert.ErrorIs(t, err, ErrUnknownGVK)
}
