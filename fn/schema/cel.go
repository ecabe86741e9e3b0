package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// rule is one x-kubernetes-validations entry, compiled to Go.
type rule struct {
	text    string
	message string
	celFunc
}

// celFunc is the Go translation of a CEL rule.
type celFunc struct {
	// self is the schema type the rule is written for; check is only called with such values.
	self string
	// check reports whether v, a non-null value of type self, satisfies the rule.
	check func(v any) bool
}

// failure renders a failed rule like the API server's CEL validator: the value for scalars,
// nothing for objects and arrays, then the rule's message (or the rule itself without one).
func (r rule) failure(typ string, v any) string {
	detail := strings.TrimSpace(r.message)
	if detail == "" {
		detail = "failed rule: " + strings.TrimSpace(r.text)
	}
	if typ == "object" || typ == "array" {
		return "Invalid value: " + detail
	}
	return "Invalid value: " + quote(v) + ": " + detail
}

// exactlyOneAccessStrategy is the rule on every v2/v2alpha1 spec.rules item.
const exactlyOneAccessStrategy = `((has(self.extAuth)?1:0)+(has(self.jwt)?1:0)+((has(self.noAuth)&&self.noAuth==true)?1:0))==1`

// handCoded holds the CEL rules of the embedded CRDs, translated to Go and keyed by their
// exact text. The rules run on the object after the API server dropped unknown fields and
// nulls, so has(self.f) means "f is present and not null".
var handCoded = map[string]celFunc{
	exactlyOneAccessStrategy: {"object", func(v any) bool {
		m := v.(map[string]any)
		n := 0
		if m["extAuth"] != nil {
			n++
		}
		if m["jwt"] != nil {
			n++
		}
		if noAuth, _ := m["noAuth"].(bool); noAuth {
			n++
		}
		return n == 1
	}},
}

// matchesLiteral recognises the rule form `self.matches('<regexp>')`. cel-go implements
// matches() with Go's regexp.MatchString (RE2, unanchored), so such a rule translates to Go
// mechanically and needs no entry in handCoded.
var matchesLiteral = regexp.MustCompile(`^self\.matches\('((?:[^'\\]|\\.)*)'\)$`)

// compileRules compiles an x-kubernetes-validations list. Rules that are not in handCoded and
// not of the matches form, and rule attributes other than rule and message (messageExpression,
// reason, fieldPath, optionalOldSelf), are errors: they would otherwise go unchecked.
func compileRules(val any) ([]rule, error) {
	entries, err := list(val)
	if err != nil {
		return nil, err
	}
	rules := make([]rule, 0, len(entries))
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("validation rule is not a mapping")
		}
		var r rule
		for k, v := range m {
			switch k {
			case "rule":
				r.text, err = str(v)
			case "message":
				r.message, err = str(v)
			default:
				err = fmt.Errorf("validation rule attribute %q is not implemented", k)
			}
			if err != nil {
				return nil, err
			}
		}
		if r.celFunc, err = compileCEL(r.text); err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func compileCEL(text string) (celFunc, error) {
	if f, ok := handCoded[text]; ok {
		return f, nil
	}
	if m := matchesLiteral.FindStringSubmatch(text); m != nil {
		pattern, err := unquoteCEL(m[1])
		if err != nil {
			return celFunc{}, fmt.Errorf("CEL rule %q: %w", text, err)
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return celFunc{}, fmt.Errorf("CEL rule %q: %w", text, err)
		}
		return celFunc{"string", func(v any) bool { return re.MatchString(v.(string)) }}, nil
	}
	return celFunc{}, fmt.Errorf("CEL rule %q is not implemented", text)
}

// unquoteCEL undoes the escapes of a single-quoted CEL string literal. Only \\, \' and \" are
// supported; any other escape is refused rather than guessed.
func unquoteCEL(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) || !strings.ContainsRune(`\'"`, rune(s[i])) {
			return "", fmt.Errorf("unsupported escape in CEL string %q", s)
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}
