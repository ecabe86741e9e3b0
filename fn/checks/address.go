package checks

import (
	"net/netip"
	"strconv"
	"strings"
)

// internalHost says why a URL host (as url.URL.Hostname returns it) reaches into the
// cluster, the machine or a cloud metadata service, or "" when it does not appear to.
// It reads every spelling resolvers accept: any case, a trailing dot, IPv6 and
// IPv4-mapped IPv6, and the inet_aton forms ("2852039166", "0xa9fea9fe",
// "0251.0376.0251.0376", "127.1") that C resolvers turn into addresses.
func internalHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, ok := parseAddress(h); ok {
		return internalAddress(ip)
	}
	switch {
	case h == "":
		return ""
	case h == "localhost" || strings.HasSuffix(h, ".localhost"):
		return "the machine itself"
	case h == "metadata" || h == "metadata.google.internal" || strings.HasSuffix(h, ".internal"):
		return "a cloud metadata or internal-only name"
	case h == "kubernetes" || strings.HasPrefix(h, "kubernetes.default"):
		return "the Kubernetes API server"
	case strings.HasSuffix(h, ".svc") || strings.HasSuffix(h, ".cluster.local") || strings.Contains(h, ".svc."):
		return "a Service inside the cluster"
	case !strings.Contains(h, "."):
		return "a single-label name, which resolves through the cluster's search domains"
	}
	if last := h[strings.LastIndex(h, ".")+1:]; strings.Count(h, ".") == 1 && (wellKnownNamespaces[last] || (strings.Contains(last, "-") && !strings.HasPrefix(last, "xn--"))) {
		return "a <service>.<namespace> name, which resolves through the cluster's search domains"
	}
	return ""
}

// wellKnownNamespaces are namespaces that are no top-level domain; a last label with
// a hyphen is none either (except punycode).
var wellKnownNamespaces = map[string]bool{"default": true, "kube-system": true, "kube-public": true}

// parseAddress reads an IP address in any spelling: IPv6, dotted IPv4, and the
// inet_aton forms with fewer parts or octal and hexadecimal parts.
func parseAddress(h string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return ip.Unmap(), true
	}
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 0, 32) // base 0: 0x hex, leading-0 octal
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	// The last part fills the remaining bytes: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits).
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (24 - 8*i)
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// metadataAddresses are cloud metadata endpoints outside the private ranges.
var metadataAddresses = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space; Alibaba Cloud metadata 100.100.100.200
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network": connects to the machine on Linux
}

func internalAddress(ip netip.Addr) string {
	switch {
	case ip.IsLoopback() || ip.IsUnspecified():
		return "the machine itself"
	case ip.IsLinkLocalUnicast():
		return "a link-local address (cloud metadata services live at 169.254.169.254)"
	case ip.IsPrivate():
		return "a private address"
	}
	for _, p := range metadataAddresses {
		if p.Contains(ip) {
			return "a shared or special-purpose address"
		}
	}
	return ""
}
