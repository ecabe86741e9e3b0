package argocd

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

const (
	golden       = "expected-output.yaml"
	brokenPath   = "broken" // the repository path of testdata/broken
	repoRoot     = "../.."  // this module's place in the apirule-fn repository
	readmeAtRoot = "README.md"
)

// gitRepo is a local git repository holding the apirule-fn examples (as they are in this working
// tree, golden files included) and testdata/broken, served to the repo-server as file://.
type gitRepo struct {
	root     string // its working tree
	url      string
	examples []string // repository paths of the examples with an expected-output.yaml
}

func newGitRepo(dir string) (*gitRepo, error) {
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(repoRoot, "examples"))); err != nil {
		return nil, err
	}
	if err := os.CopyFS(filepath.Join(dir, brokenPath), os.DirFS(filepath.Join("testdata", "broken"))); err != nil {
		return nil, err
	}
	r := &gitRepo{root: dir, url: "file://" + dir}
	err := filepath.WalkDir(filepath.Join(dir, "examples"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == golden {
			rel, err := filepath.Rel(dir, filepath.Dir(path))
			r.examples = append(r.examples, filepath.ToSlash(rel))
			return err
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(r.examples)
	if len(r.examples) < 6 {
		return nil, fmt.Errorf("only %d examples with an %s", len(r.examples), golden)
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=e2e", "-c", "user.email=e2e@example.com", "commit", "-q", "-m", "examples"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git %v: %w\n%s", args, err, out)
		}
	}
	return r, nil
}

// readmeBlock returns the fenced code block of the repository's README.md whose first line is
// first (a comment such as "# argocd-cm"), so that the test runs what the README tells users
// to write.
func readmeBlock(first string) (string, error) {
	f, err := os.Open(filepath.Join(repoRoot, readmeAtRoot))
	if err != nil {
		return "", err
	}
	defer f.Close()
	var block []string
	in, found := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.HasPrefix(strings.TrimSpace(line), "```"):
			in, block = true, nil
		case in && strings.HasPrefix(strings.TrimSpace(line), "```"):
			in = false
			if found {
				return strings.Join(block, "\n") + "\n", nil
			}
		case in:
			if len(block) == 0 && strings.TrimSpace(line) == first {
				found = true
			}
			block = append(block, line)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s has no code block starting with %q", readmeAtRoot, first)
}
