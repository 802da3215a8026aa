package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIPs finds the address a request came from. The zero value trusts
// no proxy: the address is the connection's peer.
type ClientIPs struct {
	trusted []netip.Prefix
}

// NewClientIPs returns a ClientIPs that believes X-Forwarded-For only
// from peers inside trusted.
func NewClientIPs(trusted []netip.Prefix) *ClientIPs {
	return &ClientIPs{trusted: trusted}
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes
// ("10.0.0.0/8, fd00::/8"); a bare address stands for itself alone. An
// empty list gives nil.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix or an IP address", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// IP returns the client's address: the peer of the connection
// (r.RemoteAddr), unless the peer is a trusted proxy. Then X-Forwarded-For
// is read from the right, each hop added by the proxy before it, and the
// first address that is not a trusted proxy is the client; a hop that is
// not an address ends the walk at the last trusted hop, as everything to
// its left could be forged. It returns the zero Addr when RemoteAddr is
// not an address (never the case with net/http's server).
func (c *ClientIPs) IP(r *http.Request) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !peer.IsValid() || !c.isTrusted(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a := parseHost(strings.TrimSpace(parts[j]))
			if !a.IsValid() {
				return client
			}
			client = a
			if !c.isTrusted(a) {
				return a
			}
		}
	}
	return client
}

// Key returns the bucket key of the request's client: its address, or for
// IPv6 its /64 network, since one host usually holds a whole /64.
func (c *ClientIPs) Key(r *http.Request) string {
	a := c.IP(r)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}

func (c *ClientIPs) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHost parses "ip", "ip:port" or "[ip]:port", IPv4-mapped IPv6
// addresses unmapped; the zero Addr when it is none of them.
func parseHost(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
