package schema

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// durationTerm finds the "<digits> <unit>" terms of a duration in the long form.
var durationTerm = regexp.MustCompile(`(\d+)\s*([A-Za-zµ]+)`)

// durationUnits lists, per unit, the spellings kube-openapi accepts: a term's unit matches if
// it equals one of them (ignoring case) or starts with the last, longest one ("minutes").
var durationUnits = [][]string{
	{"ns", "nano"},
	{"us", "µs", "micro"},
	{"ms", "milli"},
	{"s", "sec"},
	{"m", "min"},
	{"h", "hr", "hour"},
	{"d", "day"},
	{"w", "wk", "week"},
}

// isDuration reports whether s is valid for `format: duration` as the API server checks it
// (kube-openapi strfmt): a Go duration ("10m", "1h30m"), or else any text in which at least one
// "<digits><unit>" term has a known unit ("10 minutes", "2 days"). The check is this lenient
// upstream too: "x10sy" fails, but "10s of fun" passes.
func isDuration(s string) bool {
	if _, err := time.ParseDuration(s); err == nil {
		return true
	}
	for _, m := range durationTerm.FindAllStringSubmatch(s, -1) {
		if _, err := strconv.Atoi(m[1]); err != nil {
			return false // kube-openapi gives up on a term whose number overflows
		}
		unit := strings.ToLower(m[2])
		for _, spellings := range durationUnits {
			last := len(spellings) - 1
			for i, sp := range spellings {
				if strings.EqualFold(sp, unit) || (i == last && strings.HasPrefix(unit, sp)) {
					return true
				}
			}
		}
	}
	return false
}
