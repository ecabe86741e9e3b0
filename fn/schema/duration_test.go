package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expectations follow kube-openapi's strfmt.ParseDuration, which the API server uses
// for `format: duration`.
func TestIsDuration(t *testing.T) {
	testCases := map[string]bool{
		"10m":                   true,
		"1h30m":                 true,
		"-5s":                   true,
		"0":                     true,
		"1.5h":                  true,
		"10 minutes":            true,
		"2 days":                true,
		"3w":                    true,
		"1 hour 2 min":          true,
		"5 µs":                  true,
		"10s of fun":            true, // lenient upstream: one good term is enough
		"10x":                   false,
		"x10sy":                 false,
		"ten minutes":           false,
		"":                      false,
		"10":                    false,
		"99999999999999999999s": false, // the number overflows
	}
	for in, expected := range testCases {
		t.Run(in, func(t *testing.T) {
			assert.Equal(t, expected, isDuration(in))
		})
	}
}
