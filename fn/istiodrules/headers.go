package istiodrules

import (
	"errors"
	"fmt"
	"strings"
)

// HeaderName checks the name of a request header the function sets
// (headers.request.set): istiod refuses an empty name and the HTTP/2 pseudo-headers
// (":path", ":method", …) except ":authority", which, like Host, rewrites the
// authority (see AuthorityOnce).
func HeaderName(name string) error {
	switch {
	case name == "":
		return errors.New("the header name is empty: istiod refuses a VirtualService that sets a header without a name")
	case strings.HasPrefix(name, ":") && !isAuthority(name):
		return fmt.Errorf("header %q is an HTTP/2 pseudo-header: istiod refuses a VirtualService that sets one (only :authority, the same as Host, may be set)", name)
	case strings.ContainsAny(name, "\x00\r\n"):
		return fmt.Errorf("header name %q contains a NUL, CR or LF character: Envoy rejects the route configuration istiod sends it", name)
	}
	return nil
}

// isAuthority reports whether setting the header rewrites the request authority.
func isAuthority(name string) bool {
	return strings.EqualFold(name, ":authority") || strings.EqualFold(name, "host")
}

// AuthorityOnce checks the names of the headers one route sets: istiod refuses a
// route that sets the authority twice, through Host and :authority (in any case).
func AuthorityOnce(names []string) error {
	var set []string
	for _, n := range names {
		if isAuthority(n) {
			set = append(set, n)
		}
	}
	if len(set) > 1 {
		return fmt.Errorf("headers %s all set the request authority: istiod refuses a VirtualService route that sets it more than once; keep one of them", strings.Join(quoteAll(set), " and "))
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// HeaderValue checks the value of a request header the function sets. Envoy reads
// header values as format strings, where %VARIABLE% and %VARIABLE(args)% insert
// request data and %% is a literal percent sign; istiod runs Envoy's parser and
// refuses a value it cannot read (a lone or unterminated %, a URL encoding such as
// %20) and values with control characters other than tab.
func HeaderValue(value string) error {
	for _, c := range []byte(value) {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("header value %q contains a control character: istiod refuses it", value)
		}
	}
	if err := parseFormat(value); err != nil {
		return fmt.Errorf("header value %q is not a valid Envoy header format (%v): istiod refuses it. Envoy reads %%NAME%% as a variable; write %%%% for a literal %%", value, err)
	}
	return nil
}

// formatState is where parseFormat is in a header value.
type formatState int

const (
	literal            formatState = iota
	variableName                   // after the opening %
	expectArray                    // after "%NAME("
	expectString                   // in [ ], before an element
	inString                       // inside an argument string
	expectCommaOrClose             // after an element
	expectParen                    // after the closing ]
	expectPercent                  // after the closing )
)

// parseFormat follows Envoy's header formatter grammar as istiod checks it
// (pkg/config/validation/header_value_validator.go, a port of Envoy's header_parser.cc):
// it only checks that every variable is terminated, not that its name is known.
func parseFormat(v string) error {
	state := literal
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch state {
		case literal:
			if c != '%' {
				continue
			}
			if i+1 == len(v) {
				return errors.New("un-escaped % at the end")
			}
			if v[i+1] == '%' {
				i++
				continue
			}
			state = variableName
		case variableName:
			switch c {
			case '%':
				state = literal
			case '(':
				state = expectArray
			}
		case expectArray:
			if c == '[' {
				state = expectString
			} else if c != ' ' {
				state = inString
			}
		case expectCommaOrClose:
			switch {
			case c == ',':
				state = expectString
			case c == ']':
				state = expectParen
			case c != ' ':
				return errors.New(`expected ",", "]" or a space in the variable's arguments`)
			}
		case expectString:
			if c == '"' {
				state = inString
			} else if c != ' ' {
				return errors.New(`expected '"' in the variable's arguments`)
			}
		case inString:
			switch c {
			case '\\':
				if i+1 == len(v) {
					return errors.New("unterminated backslash in the variable's arguments")
				}
				i++
			case ')':
				state = expectPercent
			case '"':
				state = expectCommaOrClose
			}
		case expectParen:
			if c == ')' {
				state = expectPercent
			} else if c != ' ' {
				return errors.New(`expected ")" after the variable's arguments`)
			}
		case expectPercent:
			if c == '%' {
				state = literal
			} else if c != ' ' {
				return errors.New(`expected "%" after the variable's arguments`)
			}
		}
	}
	if state != literal {
		return errors.New("a variable is not terminated by %")
	}
	return nil
}
