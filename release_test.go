package main

// The release workflow cannot run here (no GitHub, no Docker engine); what it relies
// on can be checked: it runs on version tags, builds with the Go version of go.mod,
// stamps the tag into make dist and make image, and publishes every binary make dist
// writes together with SHA256SUMS. make dist itself runs in .ci/run.

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

type workflow struct {
	On struct {
		Push struct {
			Tags []string `yaml:"tags"`
		} `yaml:"push"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
			Run  string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func TestReleaseWorkflow(t *testing.T) {
	var wf workflow
	require.NoError(t, yaml.Unmarshal([]byte(read(t, ".github/workflows/release.yml")), &wf))
	assert.Equal(t, []string{"v*"}, wf.On.Push.Tags, "runs on version tags")
	assert.Equal(t, "write", wf.Permissions["contents"])
	assert.Equal(t, "write", wf.Permissions["packages"])
	require.Len(t, wf.Jobs, 1)

	var uses, runs []string
	goVersionFile := ""
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" {
				uses = append(uses, s.Uses)
			}
			if strings.HasPrefix(s.Uses, "actions/setup-go@") {
				goVersionFile = s.With["go-version-file"]
			}
			if s.Run != "" {
				runs = append(runs, s.Run)
			}
		}
	}
	assert.Equal(t, "go.mod", goVersionFile, "the release builds with the Go version of go.mod")
	for _, action := range []string{"actions/checkout@", "docker/setup-qemu-action@", "docker/setup-buildx-action@", "docker/login-action@"} {
		assert.True(t, slices.ContainsFunc(uses, func(u string) bool { return strings.HasPrefix(u, action) }), "step using %s", action)
	}
	// The steps in order: test, binaries, image, release.
	order := []string{"make test", "make dist VERSION=${{ github.ref_name }}",
		"make image VERSION=${{ github.ref_name }} BUILDX_FLAGS=--push", "gh release create"}
	i := 0
	for _, r := range runs {
		if i < len(order) && strings.HasPrefix(r, order[i]) {
			i++
		}
	}
	assert.Equal(t, len(order), i, "steps in order %q; runs %q", order, runs)
	release := runs[len(runs)-1]
	assert.Contains(t, release, "dist/apirule-fn-*")
	assert.Contains(t, release, "dist/SHA256SUMS")

	// What those targets do: make dist writes dist/apirule-fn-<os>-<arch> for
	// linux and darwin on amd64 and arm64 and their SHA256SUMS; make image builds
	// linux/amd64 and linux/arm64 with the version.
	mk := read(t, "Makefile")
	platforms := regexp.MustCompile(`(?m)^PLATFORMS := (.*)$`).FindStringSubmatch(mk)
	require.NotNil(t, platforms)
	assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"}, strings.Fields(platforms[1]))
	assert.Contains(t, mk, "-o dist/apirule-fn-$$os-$$arch .")
	assert.Contains(t, mk, "sha256sum apirule-fn-* > SHA256SUMS")
	assert.Regexp(t, `docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=\$\(VERSION\)`, mk)
}
