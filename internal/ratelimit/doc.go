// Package ratelimit throttles requests with token buckets, one bucket per
// key (a client address, a client id), in bounded memory.
//
// A Limiter holds at most MaxKeys buckets. A bucket left alone long
// enough to refill completely is the same as a new one, so it is dropped
// the next time the limiter is used; when the limiter is full all the
// same, the least recently used bucket makes room. Time comes from an
// injected clock, so every rule is tested at its boundary.
//
// ClientIPs turns a request into the key of the client it came from: the
// connection's peer address, or, when that peer is a trusted reverse
// proxy, the address it reports in X-Forwarded-For. IPv6 clients are
// keyed by their /64 network, the block one host usually holds.
package ratelimit
