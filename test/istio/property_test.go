package istio

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// propertyDurationEnv turns the short property run of the regular suite into a long one, for
// example APIRULE_ISTIO_PROPERTY_DURATION=10m.
const propertyDurationEnv = "APIRULE_ISTIO_PROPERTY_DURATION"

// propertyStats adds up what the property runs saw.
type propertyStats struct {
	executions, apiRules, crdInvalid, exit0, exit1 int
	objects, refusedObjects                        int
	errors, errorsWithoutField                     int                 // error results on APIRules; those without a field come from cluster objects (a Gateway's servers, a missing Service)
	disagreements                                  map[string][]uint64 // kind of disagreement -> seeds
}

// checkSeed runs the function on the seed's scenario and compares with istiod. The property:
// whenever the function exits 0, istiod accepts every generated object; whenever istiod
// refuses an object, the function has failed that APIRule at a field. As the function
// generates nothing for an APIRule that fails, any refused object is a disagreement. Every
// error result on an APIRule is counted, with those that name no field (they come from the
// cluster objects of the input: a Gateway's servers, a missing Service).
func checkSeed(seed uint64, st *propertyStats) error {
	webhook, err := newIstiod()
	if err != nil {
		return err
	}
	s := generate(seed)
	r, err := runFunction(fmt.Sprintf("seed %d", seed), s.stdin())
	if err != nil {
		return err
	}
	st.executions++
	st.crdInvalid += s.invalid
	st.apiRules += len(s.items) - countKind(s.items, "Gateway") - countKind(s.items, "Service")
	if r.exit == 0 {
		st.exit0++
	} else {
		st.exit1++
	}
	for _, o := range r.outputs {
		if !istioObject(o) {
			continue
		}
		v, err := webhook.review(o)
		if err != nil {
			return err
		}
		st.objects++
		if !v.Allowed {
			st.refusedObjects++
			st.disagree(fmt.Sprintf("exit %d, istiod refuses %s: %s", r.exit, kindOf(o), shorten(v.Message)), seed)
		}
	}
	for _, res := range r.results {
		if res.Severity == "error" && res.ResourceRef.Kind == "APIRule" {
			st.errors++
			if res.Field.Path == "" {
				st.errorsWithoutField++
			}
		}
	}
	return nil
}

func (st *propertyStats) disagree(kind string, seed uint64) {
	if st.disagreements == nil {
		st.disagreements = map[string][]uint64{}
	}
	st.disagreements[kind] = append(st.disagreements[kind], seed)
}

// shorten keeps messages of one class together: object names and long values vary.
func shorten(msg string) string {
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}

func countKind(items []obj, kind string) int {
	n := 0
	for _, o := range items {
		if kindOf(o) == kind {
			n++
		}
	}
	return n
}

// TestPropertyIstiodAgreement checks the property on generated scenarios: 300 seeds in the
// regular suite, as many as fit in $APIRULE_ISTIO_PROPERTY_DURATION in a long run (seeds from
// the current time then, printed to replay one: APIRULE_ISTIO_PROPERTY_SEED=<seed>).
func TestPropertyIstiodAgreement(t *testing.T) {
	var st propertyStats
	start := time.Now()
	next := func() (uint64, bool) { return uint64(st.executions) + 1, st.executions < 300 }
	if v := os.Getenv("APIRULE_ISTIO_PROPERTY_SEED"); v != "" {
		var seed uint64
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatal(err)
		}
		next = func() (uint64, bool) { return seed, st.executions == 0 }
		s := generate(seed)
		t.Logf("scenario of seed %d:\n%s", seed, s.stdin())
	} else if v := os.Getenv(propertyDurationEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		base := uint64(start.UnixNano())
		next = func() (uint64, bool) { return base + uint64(st.executions), time.Since(start) < d }
	}
	for {
		seed, more := next()
		if !more {
			break
		}
		if err := checkSeed(seed, &st); err != nil {
			t.Fatal(err)
		}
	}
	var kinds []string
	total := 0
	for k, seeds := range st.disagreements {
		kinds = append(kinds, k)
		total += len(seeds)
	}
	sort.Strings(kinds)
	t.Logf("%d executions in %s: %d CRD-valid APIRules (%d generated ones the CRD refuses left out), exit 0: %d, exit 1: %d (%d error results, %d without a field); %d Istio objects validated, %d refused; %d disagreements of %d kinds",
		st.executions, time.Since(start).Round(time.Second), st.apiRules, st.crdInvalid, st.exit0, st.exit1, st.errors, st.errorsWithoutField, st.objects, st.refusedObjects, total, len(kinds))
	for _, k := range kinds {
		seeds := st.disagreements[k]
		t.Errorf("%d× %s (seeds %s)", len(seeds), k, seedList(seeds))
	}
	if st.executions >= 100 && (st.exit0 == 0 || st.objects == 0) {
		t.Errorf("the generator never reaches a successful render (%d exit 0, %d objects)", st.exit0, st.objects)
	}
}

func seedList(seeds []uint64) string {
	var s []string
	for i, seed := range seeds {
		if i == 3 {
			s = append(s, "...")
			break
		}
		s = append(s, fmt.Sprint(seed))
	}
	return strings.Join(s, ", ")
}

// FuzzIstiodAgreement is the same property under Go's fuzzer, which mutates the seed:
// go test -run '^$' -fuzz FuzzIstiodAgreement -fuzztime 10m (from test/istio).
func FuzzIstiodAgreement(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		var st propertyStats
		if err := checkSeed(seed, &st); err != nil {
			t.Fatal(err)
		}
		for k := range st.disagreements {
			t.Errorf("%s", k)
		}
	})
}
