package credcheck

import (
	"errors"
	"net/netip"
	"syscall"
)

// errBlockedAddress is what the dialer answers for an address that is not
// public. It is checked on the resolved address of every connection, so a
// host name resolving to loopback, a DNS answer that changes between checks
// and a redirect to an internal host are all refused the same way.
var errBlockedAddress = errors.New("address not allowed")

// notPublicV4 are the IPv4 ranges that are not globally reachable (IANA
// special-purpose registry), beyond what netip's predicates already cover.
var notPublicV4 = prefixes(
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata (169.254.169.254)
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, broadcast
)

// notPublicV6 are the ranges inside global unicast (2000::/3) that are not
// globally reachable or that embed an address the guard cannot vouch for.
var notPublicV6 = prefixes(
	"2001::/23",     // IETF protocol assignments (Teredo, ORCHID, benchmarking...)
	"2001:db8::/32", // documentation
	"2002::/16",     // 6to4: embeds an IPv4 address
	"3fff::/20",     // documentation
)

// nat64 is the well-known NAT64 prefix: the IPv4 address in its last 32
// bits is what is really reached.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

var globalUnicastV6 = netip.MustParsePrefix("2000::/3")

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// isPublic reports whether a connection to addr may be made on behalf of an
// organization's settings.
func isPublic(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.Zone() != "" {
		return false
	}
	if addr.Is4() {
		for _, p := range notPublicV4 {
			if p.Contains(addr) {
				return false
			}
		}
		return true
	}
	if nat64.Contains(addr) {
		b := addr.As16()
		return isPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	// Only global unicast: this refuses ::, ::1, fc00::/7, fe80::/10,
	// ff00::/8 and the deprecated IPv4-compatible forms.
	if !globalUnicastV6.Contains(addr) {
		return false
	}
	for _, p := range notPublicV6 {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// dialControl is the net.Dialer.Control of a guarded checker: it runs after
// name resolution and before the connection is attempted.
func (c *Checker) dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return errBlockedAddress
	}
	if c.treatAsPublic[ap] || isPublic(ap.Addr()) {
		return nil
	}
	return errBlockedAddress
}
