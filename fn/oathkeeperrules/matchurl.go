package oathkeeperrules

import (
	"bytes"
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2"
)

// Delimiters of the patterns in a match.url.
const (
	PatternStart = '<'
	PatternEnd   = '>'
)

// matchTimeout bounds one match, as Oathkeeper's compiler sets it.
const matchTimeout = 250 * time.Millisecond

// MatchURL compiles a Rule's match.url the way Oathkeeper does and returns the regexp
// it matches request URLs with ("scheme://host/path", anchored at both ends). The
// text outside the delimiters is literal.
func MatchURL(url string) (*regexp2.Regexp, error) {
	bounds, err := patternBounds(url)
	if err != nil {
		return nil, err
	}
	var full bytes.Buffer
	full.WriteByte('^')
	end := 0
	for k := 0; k < len(bounds); k += 2 {
		start := bounds[k]
		pattern := url[start+1 : bounds[k+1]-1]
		full.WriteString(regexp.QuoteMeta(url[end:start]))
		full.WriteString("(" + pattern + ")")
		end = bounds[k+1]
		// Each pattern must compile on its own too: "a)(b" passes inside the group.
		if _, err := compile("^" + pattern + "$"); err != nil {
			return nil, fmt.Errorf("the pattern <%s> does not compile: %w", pattern, err)
		}
	}
	full.WriteString(regexp.QuoteMeta(url[end:]))
	full.WriteByte('$')
	re, err := compile(full.String())
	if err != nil {
		return nil, fmt.Errorf("the URL does not compile: %w", err)
	}
	return re, nil
}

func compile(pattern string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.RE2)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = matchTimeout
	return re, nil
}

// patternBounds returns the start and end (exclusive) offsets of every top-level
// <pattern>, in pairs, or an error when the delimiters do not balance.
func patternBounds(url string) ([]int, error) {
	var bounds []int
	level, start := 0, 0
	for i := 0; i < len(url); i++ {
		switch url[i] {
		case PatternStart:
			if level++; level == 1 {
				start = i
			}
		case PatternEnd:
			level--
			if level < 0 {
				return nil, fmt.Errorf(`a "%c" at byte %d closes no "%c"`, PatternEnd, i, PatternStart)
			}
			if level == 0 {
				bounds = append(bounds, start, i+1)
			}
		}
	}
	if level != 0 {
		return nil, fmt.Errorf(`a "%c" is never closed by "%c"`, PatternStart, PatternEnd)
	}
	return bounds, nil
}
