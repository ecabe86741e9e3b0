package cmd

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionOf(t *testing.T) {
	info := func(v string) *debug.BuildInfo { return &debug.BuildInfo{Main: debug.Module{Version: v}} }
	tests := []struct {
		name, injected string
		bi             *debug.BuildInfo
		want           string
	}{
		{"injected with -ldflags -X wins", "v1.2.3", info("v9.9.9"), "v1.2.3"},
		{"go install …@v1.4.0", "dev", info("v1.4.0"), "v1.4.0"},
		{"go build in a git checkout stamps a pseudo-version", "dev", info("v0.0.0-20261204120000-abcdef123456+dirty"), "v0.0.0-20261204120000-abcdef123456+dirty"},
		{"go build without version control", "dev", info("(devel)"), "dev"},
		{"no build info", "dev", nil, "dev"},
		{"empty injected value", "", info(""), "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, versionOf(tt.injected, tt.bi))
		})
	}
}
