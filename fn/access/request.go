package access

import (
	"fmt"
	"strings"
)

// Request is one HTTP request as it reaches the ingress gateway.
type Request struct {
	Host, Method, Path string
	// Token is the bearer token sent, or nil for none.
	Token *Token
}

func (r Request) String() string {
	s := r.Method + " " + r.Host + r.Path
	if r.Token != nil {
		s += " with " + r.Token.String()
	}
	return s
}

// Token is a JWT as far as access decisions read it. It is taken as well-formed,
// signed by its issuer's keys and unexpired.
type Token struct {
	Issuer    string
	Scopes    []string
	Audiences []string
	// Header carries the token ("" means Authorization with the "Bearer " prefix);
	// Param, when set, carries it in the query parameter of that name instead.
	Header, Param string
}

func (t *Token) String() string {
	s := "a token of " + t.Issuer
	if len(t.Scopes) > 0 {
		s += " with scopes " + strings.Join(t.Scopes, ",")
	}
	if len(t.Audiences) > 0 {
		s += " for " + strings.Join(t.Audiences, ",")
	}
	return s
}

// inHeader reports whether the token is sent in the named header (case-insensitive).
func (t *Token) inHeader(name string) bool {
	if t.Param != "" {
		return false
	}
	h := t.Header
	if h == "" {
		h = "Authorization"
	}
	return strings.EqualFold(h, name)
}

// Outcome is what happens to a request.
type Outcome string

// Outcomes.
const (
	// NotRouted: no route takes the request (404).
	NotRouted Outcome = "not routed"
	// Unauthenticated: a token is missing or rejected (401).
	Unauthenticated Outcome = "unauthenticated"
	// Denied: an authorization policy refuses the request (403).
	Denied Outcome = "denied"
	// Allowed: the request reaches the target Service.
	Allowed Outcome = "allowed"
	// Unknown: an outside server decides (extension provider, token introspection),
	// or Oathkeeper refuses to choose between several Rules.
	Unknown Outcome = "unknown"
)

// Status is the HTTP status an outcome stands for (0 for Unknown).
func (o Outcome) Status() int {
	switch o {
	case NotRouted:
		return 404
	case Unauthenticated:
		return 401
	case Denied:
		return 403
	case Allowed:
		return 200
	}
	return 0
}

// Decision is the effective access of one request.
type Decision struct {
	Outcome Outcome
	// Destination is "host:port" of the route's destination ("" when not routed).
	Destination string
	// ViaOathkeeper is set when the route goes to the Oathkeeper proxy.
	ViaOathkeeper bool
	// Service is "<namespace>/<name>" of the Service the request is for (the route's
	// destination, or the Oathkeeper Rule's upstream), "" when unknown.
	Service string
	// Requirements are the alternative tokens that would be let through on this
	// route (any one suffices); empty when no token is needed, or when the route is
	// closed or decided elsewhere.
	Requirements []Requirement
	// TokenRequired is set when a request without a token is not allowed but some
	// token would be.
	TokenRequired bool
	// Reason says in words which object decided.
	Reason string
}

func (d Decision) String() string {
	s := string(d.Outcome)
	if d.Service != "" {
		s += " to " + d.Service
	}
	if d.ViaOathkeeper {
		s += " via Oathkeeper"
	}
	if d.TokenRequired {
		var alts []string
		for _, r := range d.Requirements {
			alts = append(alts, r.String())
		}
		s += ", token required: " + strings.Join(alts, " or ")
	}
	return s
}

// Requirement is one kind of token a route accepts: from one of the issuers (any
// issuer when empty), holding every scope and every audience.
type Requirement struct {
	Issuers   []string
	Scopes    []string
	Audiences []string
}

func (r Requirement) String() string {
	s := "any issuer"
	if len(r.Issuers) > 0 {
		s = strings.Join(r.Issuers, "|")
	}
	if len(r.Scopes) > 0 {
		s += fmt.Sprintf(" scopes [%s]", strings.Join(r.Scopes, " "))
	}
	if len(r.Audiences) > 0 {
		s += fmt.Sprintf(" audiences [%s]", strings.Join(r.Audiences, " "))
	}
	return s
}
