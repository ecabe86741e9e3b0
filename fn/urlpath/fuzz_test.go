package urlpath_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

// crdPath is the v2/v2alpha1 CRD pattern of a rule path: the paths that reach the
// translation.
var crdPath = regexp.MustCompile(`^((\/([A-Za-z0-9-._~!$&'()+,;=:@]|%[0-9a-fA-F]{2})*)|(\/\{\*{1,2}\}))+$|^\/\*$`)

// plainPath is a path of unreserved characters and operators only, whose
// VirtualService regex must match the path with the operators filled in.
var plainPath = regexp.MustCompile(`^(/([A-Za-z0-9_~-]*|\{\*\}|\{\*\*\}))+$`)

// methodSets picks up to four methods by the bits of b.
func methodSet(b uint8) []string {
	var out []string
	for i, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		if b&(1<<i) != 0 {
			out = append(out, m)
		}
	}
	return out
}

// FuzzPaths translates any pair of rule paths. Invariants: no panic and no hang;
// notPaths are paths of the routes; the template is the path, "/{**}" for "/*"; a path the CRD and the operator check
// accept becomes a VirtualService match that is the prefix "/" for "/*" and
// otherwise a regex Go (RE2, like Envoy) compiles, and that matches the path itself
// with its operators filled in.
func FuzzPaths(f *testing.F) {
	for _, p := range []string{"/", "/*", "/{**}", "/a/{*}/b", "/a/{**}", "/a/{*}/{**}", "/a/{**}/{*}", "/a.b", "/a%2Fb",
		"/x/{*}/y/{**}", "/a/", "//", "/a+b", "/a$b", "/a/{*}{*}", "/~user/-/_"} {
		f.Add(p, "/a/{*}", uint8(3))
	}
	f.Fuzz(func(t *testing.T, path, other string, methods uint8) {
		// A hang crashes the worker, which makes the fuzzer keep the input.
		defer time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hangs on %q %q", path, other)) }).Stop()
		routes := []urlpath.Route{{Path: path, Methods: methodSet(methods)}, {Path: other, Methods: methodSet(methods >> 4)}}
		urlpath.FirstConflict(routes)
		for i := range routes {
			for _, p := range urlpath.NotPaths(routes, i) {
				if p != path && p != other {
					t.Fatalf("notPath %q is no route's path", p)
				}
			}
		}
		if tmpl := urlpath.Template(path); tmpl != path && (path != urlpath.CatchAll || tmpl != "/{**}") {
			t.Fatalf("template of %q: %q", path, tmpl)
		}
		if !crdPath.MatchString(path) || urlpath.CheckOperators(path) != nil {
			return
		}
		m := urlpath.VirtualServiceMatch(path)
		if m.Prefix != "" || m.Regex == "" {
			if path != urlpath.CatchAll || m.Prefix != "/" || m.Regex != "" {
				t.Fatalf("match of %q: %+v", path, m)
			}
			return
		}
		re, err := regexp.Compile(m.Regex)
		if (err != nil) != (urlpath.CheckRegex(path) != nil) {
			t.Fatalf("path %q gives the regex %q: compile error %v, but CheckRegex says %v", path, m.Regex, err, urlpath.CheckRegex(path))
		}
		if err != nil {
			return // reported to the user by CheckRegex
		}
		if plainPath.MatchString(path) {
			for _, fill := range [][2]string{{"seg", ""}, {"seg", "x/y"}} {
				concrete := strings.NewReplacer(urlpath.AnySegments, fill[1], urlpath.OneSegment, fill[0]).Replace(path)
				if !re.MatchString(concrete) {
					t.Fatalf("regex %q of %q does not match %q", m.Regex, path, concrete)
				}
			}
		}
	})
}
