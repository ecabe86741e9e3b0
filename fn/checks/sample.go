package checks

import (
	"regexp/syntax"
	"slices"
	"unicode"
)

// samples returns request paths that the full-match regex re matches: the shortest
// (each repetition as few times as it may) and one with every repetition taken once,
// so that both "/a/" and "/a/a" stand for "/a/.*". Nil when re does not parse.
func samples(re string) []string {
	parsed, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	parsed = parsed.Simplify()
	out := []string{sample(parsed, false)}
	if long := sample(parsed, true); long != out[0] {
		out = append(out, long)
	}
	return out
}

// sample builds one string the regex matches; grow takes each optional repetition once.
func sample(re *syntax.Regexp, grow bool) string {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune)
	case syntax.OpCharClass:
		return string(classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return "a"
	case syntax.OpCapture:
		return sample(re.Sub[0], grow)
	case syntax.OpStar, syntax.OpQuest:
		if grow {
			return sample(re.Sub[0], grow)
		}
		return ""
	case syntax.OpPlus:
		return sample(re.Sub[0], grow)
	case syntax.OpRepeat:
		n := re.Min
		if grow && n == 0 && re.Max != 0 {
			n = 1
		}
		var s string
		for i := 0; i < n; i++ {
			s += sample(re.Sub[0], grow)
		}
		return s
	case syntax.OpConcat:
		var s string
		for _, sub := range re.Sub {
			s += sample(sub, grow)
		}
		return s
	case syntax.OpAlternate:
		return sample(re.Sub[0], grow)
	}
	return "" // empty match, anchors, word boundaries
}

// classRune picks a rune of a character class (pairs of ranges), preferring the
// letters and digits a path segment is usually made of.
func classRune(ranges []rune) rune {
	for _, want := range []rune{'a', 'x', '0'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < ranges[i]+128; r++ {
			if unicode.IsPrint(r) && r != '/' && r != '?' && r != '#' {
				return r
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

// firstRunes returns the runes a non-empty match of the regex may start with, as
// ranges, and whether the regex matches the empty string; any is set when every rune
// may come first.
type firstSet struct {
	ranges   []rune
	any      bool
	nullable bool
}

func (f *firstSet) add(o firstSet) {
	f.any = f.any || o.any
	f.ranges = append(f.ranges, o.ranges...)
}

// other returns a rune other than r that a match may start with, or false.
func (f firstSet) other(r rune) (rune, bool) {
	if f.any {
		return 'm', true
	}
	for i := 0; i+1 < len(f.ranges); i += 2 {
		for c := f.ranges[i]; c <= f.ranges[i+1] && c < f.ranges[i]+256; c++ {
			if c != r && unicode.IsPrint(c) {
				return c, true
			}
		}
	}
	return 0, false
}

// first computes the first set of a simplified regex.
func first(re *syntax.Regexp) firstSet {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return firstSet{nullable: true}
		}
		r := re.Rune[0]
		if re.Flags&syntax.FoldCase != 0 {
			return firstSet{ranges: []rune{unicode.ToLower(r), unicode.ToLower(r), unicode.ToUpper(r), unicode.ToUpper(r)}}
		}
		return firstSet{ranges: []rune{r, r}}
	case syntax.OpCharClass:
		return firstSet{ranges: slices.Clone(re.Rune)}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return firstSet{any: true}
	case syntax.OpCapture, syntax.OpPlus:
		return first(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		f := first(re.Sub[0])
		f.nullable = true
		return f
	case syntax.OpRepeat:
		f := first(re.Sub[0])
		f.nullable = f.nullable || re.Min == 0
		return f
	case syntax.OpConcat:
		out := firstSet{nullable: true}
		for _, sub := range re.Sub {
			f := first(sub)
			out.add(f)
			if !f.nullable {
				out.nullable = false
				break
			}
		}
		return out
	case syntax.OpAlternate:
		var out firstSet
		for _, sub := range re.Sub {
			f := first(sub)
			out.add(f)
			out.nullable = out.nullable || f.nullable
		}
		return out
	}
	return firstSet{nullable: true}
}
