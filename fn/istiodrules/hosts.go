package istiodrules

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

const (
	maxDomainLen = 255
	maxLabelLen  = 63
)

var (
	dnsLabelRE      = regexp.MustCompile(`^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
	wildcardLabelRE = regexp.MustCompile(`^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$`)
)

// DNSLabel reports whether s is a DNS-1123 label as istiod checks it.
func DNSLabel(s string) bool { return len(s) <= maxLabelLen && dnsLabelRE.MatchString(s) }

// Host checks a host of a VirtualService bound to a gateway: an IP address, or a
// domain name of at most 255 bytes whose first label may be a wildcard ("*",
// "*.example.com", "*-x.example.com") and whose other labels are DNS-1123 labels (no
// "_", at most 63 bytes), with a top-level domain that is not all digits.
func Host(h string) error {
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	return Domain(h, true)
}

// DestinationHost checks a route destination, a Service's
// "name.namespace.svc.cluster.local": a domain name as for Host.
func DestinationHost(h string) error {
	if h == "*" {
		return fmt.Errorf("destination host %q: istiod refuses a wildcard destination", h)
	}
	return Domain(h, true)
}

// Domain checks a domain name the way istiod does; wildcard allows "*" forms in the
// first label.
func Domain(d string, wildcard bool) error {
	switch {
	case d == "":
		return fmt.Errorf("the host is empty: istiod refuses an empty domain name")
	case len(d) > maxDomainLen:
		return fmt.Errorf("host %q is %d bytes long: istiod refuses domain names longer than %d", d, len(d), maxDomainLen)
	}
	rest := d
	if wildcard {
		first, after, more := strings.Cut(d, ".")
		if len(first) > maxLabelLen || !wildcardLabelRE.MatchString(first) {
			return labelError(d, first)
		}
		if !more {
			return nil
		}
		rest = after
	}
	labels := strings.Split(rest, ".")
	if tld := labels[len(labels)-1]; tld != "" {
		if _, err := strconv.Atoi(tld); err == nil {
			return fmt.Errorf("host %q has the all-numeric top-level domain %q: istiod refuses it", d, tld)
		}
	}
	for i, l := range labels {
		if i == len(labels)-1 && l == "" {
			break // a trailing dot: an absolute name
		}
		if !DNSLabel(l) {
			return labelError(d, l)
		}
	}
	return nil
}

func labelError(d, label string) error {
	why := "letters, digits and '-' only, starting and ending with a letter or digit"
	if len(label) > maxLabelLen {
		why = fmt.Sprintf("at most %d bytes", maxLabelLen)
	}
	return fmt.Errorf("host %q has the label %q, which istiod refuses: a DNS label has %s", d, label, why)
}

// Gateway checks a gateway reference of a VirtualService: "namespace/name" with both
// parts DNS-1123 labels, or a legacy "name.namespace.svc.cluster.local" domain name.
func Gateway(ref string) error {
	ns, name, ok := strings.Cut(ref, "/")
	if !ok {
		if err := Domain(ref, false); err != nil {
			return fmt.Errorf("gateway %q: %w", ref, err)
		}
		return nil
	}
	for _, part := range []struct{ what, v string }{{"namespace", ns}, {"name", name}} {
		if !DNSLabel(part.v) {
			return fmt.Errorf("gateway %q: the %s %q is not a DNS label (letters, digits and '-', at most 63): istiod refuses it", ref, part.what, part.v)
		}
	}
	return nil
}

// DistinctHosts checks the hosts of one VirtualService: istiod refuses two hosts one
// of which matches the other ("a.example.com" and "*.example.com", or the same host
// twice). It returns the index of the later host of the first such pair and an error,
// or -1 and nil. Call it only when every host passes Host, as istiod does.
func DistinctHosts(hosts []string) (int, error) {
	for j := range hosts {
		for i := 0; i < j; i++ {
			if HostsMatch(hosts[i], hosts[j]) {
				return j, fmt.Errorf("hosts %q and %q overlap: istiod refuses a VirtualService with duplicate hosts", hosts[i], hosts[j])
			}
		}
	}
	return -1, nil
}

// HostsMatch is istio's host.Name.Matches: equal names, or a wildcard ("*" or
// "*.suffix") whose suffix ends the other name (both wildcards: the longer suffix
// ends with the shorter one). It is exported because the same relation decides which
// Gateway a VirtualService host binds to (package checks): one copy keeps the two
// uses from drifting apart.
func HostsMatch(a, b string) bool {
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	switch {
	case aw && bw:
		if len(a) < len(b) {
			return strings.HasSuffix(b[1:], a[1:])
		}
		return strings.HasSuffix(a[1:], b[1:])
	case aw:
		return strings.HasSuffix(b, a[1:])
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return a == b
}
