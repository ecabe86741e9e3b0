package cmd

import "runtime/debug"

// Version is set at build time with -ldflags "-X .../fn/cmd.Version=..." (make build,
// make dist, the image). Left at "dev", the module's build info decides (version).
var Version = "dev"

// version is the version --version prints: the one injected at build time, else the
// main module's version from the build info, which `go install …@vX` sets to vX and
// a build in a git checkout to a pseudo-version of its commit, else "dev".
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(Version, bi)
}

// versionOf picks the version from what was injected and the build info (nil when
// the binary carries none).
func versionOf(injected string, bi *debug.BuildInfo) string {
	if injected != "dev" && injected != "" {
		return injected
	}
	// "(devel)" is what go build reports for a main module it has no version for.
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
