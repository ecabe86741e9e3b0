package urlpath

import "strings"

// Conflict is a path that an earlier path with the same method already covers.
type Conflict struct {
	// Path is the shadowed path as a template (CatchAll reported as `/{**}`).
	Path   string
	Method string
}

// FirstConflict runs the controller's shadowing check: per method, the paths are
// inserted in rule order into a segment trie, and inserting a path fails when a path
// inserted before it already matches it. "Specific before general" passes,
// "general before specific" and exact duplicates fail.
//
// Only the first conflict is reported. Upstream walks the methods in Go map order, so
// which conflict it reports can vary between runs; here the methods are taken in the
// order they first appear in the routes, which makes the result deterministic and,
// for a single conflicting method, identical to upstream.
func FirstConflict(routes []Route) (Conflict, bool) {
	var methods []string
	paths := map[string][]string{}
	for _, r := range routes {
		for _, m := range r.Methods {
			if _, seen := paths[m]; !seen {
				methods = append(methods, m)
			}
			paths[m] = append(paths[m], Template(r.Path))
		}
	}
	for _, m := range methods {
		t := newTrie()
		for _, p := range paths[m] {
			if !t.insert(segments(p)) {
				return Conflict{Path: p, Method: m}, true
			}
		}
	}
	return Conflict{}, false
}

// trie stores path templates segment by segment. A `{**}` node keeps the suffixes
// (the rest of the path after the operator) of the paths that share the segments
// before it; the segments after `{**}` are stored below it as well, so a literal
// `{**}` in a later path walks into them.
type trie struct{ root *node }

type node struct {
	// end marks the node as the last segment of a stored path. It is only set when the
	// node is created, never on an existing node: upstream does the same, so after
	// "/a/b" neither a first nor a second "/a" is seen as a duplicate (a known gap
	// kept for parity).
	end      bool
	children map[string]*node
	// suffixes are set on `{**}` nodes: "" for a path ending in `{**}`, else "/s1/s2".
	suffixes []string
}

func newTrie() *trie { return &trie{root: &node{children: map[string]*node{}}} }

// insert adds the path and reports whether no stored path matched it.
func (t *trie) insert(segs []string) bool {
	if t.root.matches(segs) {
		return false
	}
	n := t.root
	for i, seg := range segs {
		child, ok := n.children[seg]
		if !ok {
			child = &node{end: i == len(segs)-1, children: map[string]*node{}}
			n.children[seg] = child
			if seg == AnySegments {
				child.suffixes = []string{joinSuffix(segs[i+1:])}
			}
		} else if seg == AnySegments {
			child.suffixes = append(child.suffixes, joinSuffix(segs[i+1:]))
		}
		n = child
	}
	return true
}

// matches reports whether a stored path matches segs. The new path's own operators
// count as literal segments; a stored `{*}` matches any one segment; a stored `{**}`
// matches when its suffix is "" or equals some tail of the remaining segments.
func (n *node) matches(segs []string) bool {
	if len(segs) == 0 {
		return n.end
	}
	if child, ok := n.children[segs[0]]; ok && child.matches(segs[1:]) {
		return true
	}
	if child, ok := n.children[OneSegment]; ok && child.matches(segs[1:]) {
		return true
	}
	if child, ok := n.children[AnySegments]; ok {
		return child.matchesSuffix(segs)
	}
	return false
}

func (n *node) matchesSuffix(segs []string) bool {
	for _, s := range n.suffixes {
		if s == "" {
			return true
		}
		for i := range segs {
			if s == joinSuffix(segs[i:]) {
				return true
			}
		}
	}
	return false
}

// joinSuffix writes segments as "/s1/s2" ("" for none), the form suffixes are kept in.
func joinSuffix(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	return "/" + strings.Join(segs, "/")
}
