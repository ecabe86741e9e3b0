package oathkeeper

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// oathkeeperVersion is the Ory Oathkeeper release the Rules are proven against.
const oathkeeperVersion = "v0.40.9"

// buildOathkeeper returns the Oathkeeper binary of oathkeeperVersion, building it from the Go
// module proxy into cacheDir the first time. The build happens in a throwaway module so that
// Oathkeeper's large dependency graph never enters this module's go.mod, nor the root module's.
// The cached binary is keyed by version; a partial build never lands under the final name.
func buildOathkeeper(cacheDir string) (string, error) {
	bin := filepath.Join(cacheDir, "oathkeeper-"+oathkeeperVersion)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	mod, err := os.MkdirTemp("", "oathkeeper-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(mod)
	partial := bin + ".partial"
	steps := [][]string{
		{"mod", "init", "oathkeeper-build"},
		{"get", "github.com/ory/oathkeeper@" + oathkeeperVersion},
		{"build", "-o", partial, "github.com/ory/oathkeeper"},
	}
	for _, args := range steps {
		if err := goCommand(mod, args...); err != nil {
			return "", fmt.Errorf("building oathkeeper %s: %w", oathkeeperVersion, err)
		}
	}
	return bin, os.Rename(partial, bin)
}

// buildFunction builds apirule-fn from the repository root (two levels up) into dir, so the
// test always exercises the function as it is in this working tree.
func buildFunction(dir string) (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "apirule-fn")
	if err := goCommand(root, "build", "-o", bin, "."); err != nil {
		return "", fmt.Errorf("apirule-fn does not build from %s: %w", root, err)
	}
	return bin, nil
}

// goCommand runs the go tool in dir and returns its combined output as part of any error.
func goCommand(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, out)
	}
	return nil
}
