package urlpath

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVirtualServiceMatch(t *testing.T) {
	tests := []struct {
		path string
		want URIMatch
	}{
		{"/*", URIMatch{Prefix: "/"}},
		{"/", URIMatch{Regex: "^/$"}},
		{"/foo", URIMatch{Regex: "^/foo$"}},
		{"/foo.bar+baz", URIMatch{Regex: "^/foo.bar+baz$"}},
		{"/foo/{*}/bar", URIMatch{Regex: "^/foo/" + OneSegmentRegex + "/bar$"}},
		{"/foo/{**}", URIMatch{Regex: "^/foo/" + AnySegmentsRegex + "$"}},
		{"/{**}/file", URIMatch{Regex: "^/" + AnySegmentsRegex + "/file$"}},
		{"/{*}/{*}/{**}", URIMatch{Regex: "^/" + OneSegmentRegex + "/" + OneSegmentRegex + "/" + AnySegmentsRegex + "$"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, VirtualServiceMatch(tt.path))
		})
	}
}

func TestVirtualServiceMatchRegexSemantics(t *testing.T) {
	tests := []struct {
		path    string
		request string
		match   bool
	}{
		{"/foo/{*}/bar", "/foo/x/bar", true},
		{"/foo/{*}/bar", "/foo//bar", false},
		{"/foo/{*}/bar", "/foo/x/y/bar", false},
		{"/foo/{**}", "/foo/", true},
		{"/foo/{**}", "/foo/a/b%2Fc", true},
		{"/{**}", "/", true},
		{"/", "/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.request, func(t *testing.T) {
			re := regexp.MustCompile(VirtualServiceMatch(tt.path).Regex)
			assert.Equal(t, tt.match, re.MatchString(tt.request))
		})
	}
}

func TestTemplate(t *testing.T) {
	assert.Equal(t, "/{**}", Template("/*"))
	assert.Equal(t, "/", Template("/"))
	assert.Equal(t, "/a/{*}", Template("/a/{*}"))
	assert.Equal(t, "/{**}", Template("/{**}"))
}

func TestCheckOperators(t *testing.T) {
	tests := []struct {
		path string
		want error
	}{
		{"/", nil},
		{"/a/{*}/b/{*}", nil},
		{"/a/{**}", nil},
		{"/{**}/a/b", nil},
		{"/{*}/{**}/x", nil},
		{"/a/{**}/b/{**}", ErrSeveralAnySegments},
		{"/{**}/{*}", ErrAnySegmentsNotLast},
		{"/{**}/x/{*}", ErrAnySegmentsNotLast},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Equal(t, tt.want, CheckOperators(tt.path))
		})
	}
	assert.EqualError(t, ErrSeveralAnySegments, "Only one {**} operator is allowed in the path.")
	assert.EqualError(t, ErrAnySegmentsNotLast, "The {**} operator must be the last operator in the path.")
}

func TestNotPaths(t *testing.T) {
	// The controller's own example (v2-07-order) plus a later-rule scan stop.
	routes := []Route{
		{"/a/b", []string{"GET"}},
		{"/a/{**}", []string{"GET", "POST"}},
		{"/", []string{"GET"}},
		{"/*", []string{"DELETE", "GET"}},
	}
	want := [][]string{
		nil,
		{"/a/b"},
		{"/a/b", "/a/{**}"},
		{"/a/b", "/a/{**}"},
	}
	for i := range routes {
		assert.Equal(t, want[i], NotPaths(routes, i), routes[i].Path)
	}

	tests := []struct {
		name   string
		routes []Route
		i      int
		want   []string
	}{
		{"no shared method", []Route{{"/x", []string{"POST"}}, {"/*", []string{"GET"}}}, 1, nil},
		{"catch-all collects later rules", []Route{{"/{**}", []string{"GET"}}, {"/x", []string{"GET"}}}, 0, []string{"/x"}},
		{"scan stops at the first equal path", []Route{{"/y", []string{"GET"}}, {"/x", []string{"PUT"}}, {"/z", []string{"GET"}}, {"/x", []string{"GET"}}}, 3, []string{"/y"}},
		{"specific rule ignores later rules", []Route{{"/x", []string{"GET"}}, {"/x/y", []string{"GET"}}}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NotPaths(tt.routes, tt.i))
		})
	}
}

func TestTrieConflicts(t *testing.T) {
	// Each entry inserts the paths in order into one trie and counts failed inserts.
	tests := []struct {
		name      string
		paths     []string
		conflicts int
	}{
		{"single catch-all", []string{"/{**}"}, 0},
		{"exact then any-segments", []string{"/abc", "/abc/{**}"}, 0},
		{"exact then one-segment", []string{"/abc", "/abc/{*}"}, 0},
		{"trailing slash then one-segment", []string{"/abc/", "/abc/{*}"}, 0},
		{"trailing slash then any-segments", []string{"/abc/", "/abc/{**}"}, 0},
		{"specific before one-segment", []string{"/abc/def/ghi", "/abc/{*}/ghi"}, 0},
		{"exact duplicates", []string{"/abc/def", "/abc/def/ghi", "/abc/def/ghi", "/abc/def"}, 2},
		{"any-segments mix", []string{"/abc/def", "/abc/def/ghi", "/abc/{**}/ghi", "/abc/{**}", "/{**}/ghi", "/{**}", "/{**}/def/ghi"}, 1},
		{"catch-all before specific", []string{"/{**}", "/{**}/def/ghi"}, 1},
		{"any-segments vs one-segments", []string{"/abc/{**}/ghi", "/{*}/{*}/ghi"}, 0},
		{"any-segments covers one-segment", []string{"/abc/{**}/ghi", "/abc/{*}/ghi"}, 1},
		{"any-segments with different suffixes", []string{"/abc/{**}/def/ghi", "/abc/{**}/ghi", "/abc/{**}"}, 0},
		{"any-segments covering any-segments", []string{"/abc/{**}", "/abc/{**}/ghi", "/abc/{**}/def/ghi"}, 2},
		{"distinct exact paths", []string{"/abc/def", "/abc/def/ghi", "/abc/def/foo", "/def/ghi"}, 0},
		{"one-segment different suffixes", []string{"/abc/{*}/def", "/abc/{*}/ghi", "/abc/{*}/foo/bar", "/abc/{*}"}, 0},
		{"one-segment before exact", []string{"/abc/{*}", "/abc/def"}, 1},
		{"any-segments before exact", []string{"/abc/{**}", "/abc/def"}, 1},
		{"exact before one-segment", []string{"/abc/def", "/abc/{*}"}, 0},
		{"different prefixes", []string{"/abc/{**}", "/bca/{**}/abc"}, 0},
		{"suffix contained", []string{"/abc/{**}/def", "/abc/def/{**}/def"}, 1},
		{"longer suffix", []string{"/a/{**}/abc", "/a/b/{**}/abc/abcd"}, 0},
		{"known gap: intermediate node not an end", []string{"/a/b", "/a", "/a"}, 0},
		{"root twice", []string{"/", "/"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTrie()
			got := 0
			for _, p := range tt.paths {
				if !tr.insert(segments(p)) {
					got++
				}
			}
			assert.Equal(t, tt.conflicts, got)
		})
	}
}

func TestFirstConflict(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
		want   *Conflict
	}{
		{"none", []Route{{"/a", []string{"GET"}}, {"/a", []string{"POST"}}, {"/*", []string{"GET", "POST"}}}, nil},
		{"catch-all not last", []Route{{"/*", []string{"GET"}}, {"/a", []string{"GET"}}}, &Conflict{"/a", "GET"}},
		{"catch-all reported as template", []Route{{"/{**}", []string{"GET"}}, {"/*", []string{"GET"}}}, &Conflict{"/{**}", "GET"}},
		{"duplicate method in one rule", []Route{{"/a", []string{"GET", "GET"}}}, &Conflict{"/a", "GET"}},
		{
			"first method in order of appearance wins",
			[]Route{{"/x/{**}", []string{"PUT", "GET"}}, {"/x/{**}", []string{"DELETE"}}, {"/x/y", []string{"GET", "PUT"}}},
			&Conflict{"/x/y", "PUT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FirstConflict(tt.routes)
			if tt.want == nil {
				require.False(t, ok, "unexpected conflict %+v", got)
				return
			}
			require.True(t, ok)
			assert.Equal(t, *tt.want, got)
		})
	}
}

func TestCheckRegex(t *testing.T) {
	for path, wantErr := range map[string]string{
		"/a/{*}/b":  "",
		"/*":        "",
		"/a(":       `path "/a(" becomes the VirtualService regex "^/a($", which is not valid RE2 (error parsing regexp: missing closing ): ` + "`^/a($`" + `): Istio would reject the VirtualService`,
		"/a++":      "not valid RE2",
		"/(a)/{**}": "",
	} {
		err := CheckRegex(path)
		if wantErr == "" {
			assert.NoError(t, err, path)
		} else if assert.Error(t, err, path) {
			assert.Contains(t, err.Error(), wantErr)
		}
	}
}
