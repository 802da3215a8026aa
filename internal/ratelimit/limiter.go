package ratelimit

import (
	"container/list"
	"sync"
	"time"
)

// DefaultMaxKeys is the bucket cap New uses when given none: about
// 10 MiB of buckets at most.
const DefaultMaxKeys = 100_000

// Clock tells the time; domain.Clock satisfies it.
type Clock interface{ Now() time.Time }

// Rate is a token bucket's refill rate and size: Burst requests at once,
// then PerSecond on average. A Rate with PerSecond <= 0 is unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Unlimited reports whether r lets every request through.
func (r Rate) Unlimited() bool { return r.PerSecond <= 0 }

// Limiter is a set of token buckets of one Rate, by key. It is safe for
// concurrent use.
//
// A bucket is kept as the time it will be full again (the generic cell
// rate algorithm's "theoretical arrival time"), in whole nanoseconds, so
// that refill is exact: a token that is due at 6 s is there at 6 s.
type Limiter struct {
	rate     Rate
	clock    Clock
	maxKeys  int
	interval time.Duration // between two tokens
	window   time.Duration // Burst intervals: the time an empty bucket takes to fill

	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket
	lru     list.List                // front: most recently used
}

type bucket struct {
	key  string
	full time.Time // the bucket is full at and after this time
	used time.Time // last Allow
}

// New returns a limiter of rate r reading time from clock, holding at
// most maxKeys buckets (DefaultMaxKeys when maxKeys <= 0). A Burst below
// one is taken as one.
func New(r Rate, clock Clock, maxKeys int) *Limiter {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if r.Burst < 1 {
		r.Burst = 1
	}
	l := &Limiter{rate: r, clock: clock, maxKeys: maxKeys, buckets: map[string]*list.Element{}}
	if !r.Unlimited() {
		l.interval = max(time.Duration(float64(time.Second)/r.PerSecond), 1)
		l.window = time.Duration(r.Burst) * l.interval
	}
	return l
}

// Rate returns the limiter's rate.
func (l *Limiter) Rate() Rate { return l.rate }

// Allow takes a token from key's bucket and reports whether there was
// one. When there was not, retryAfter is how long until there is.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l.rate.Unlimited() {
		return true, 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictIdle(now)
	b := l.bucket(key, now)
	b.used = now
	full := b.full
	if full.Before(now) {
		full = now
	}
	full = full.Add(l.interval) // with this request's token taken
	if over := full.Sub(now) - l.window; over > 0 {
		return false, over
	}
	b.full = full
	return true, 0
}

// Refund gives back a token that Allow took for key, for a request that
// turned out not to count (the bucket never holds more than Burst). A key
// with no bucket is left alone.
func (l *Limiter) Refund(key string) {
	if l.rate.Unlimited() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.buckets[key]; ok {
		b := e.Value.(*bucket)
		b.full = b.full.Add(-l.interval) // a time already past means full
	}
}

// Len returns how many buckets the limiter holds.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// bucket returns key's bucket, creating a full one (making room first
// when the limiter is full) if there is none. The bucket becomes the most
// recently used.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	if e, ok := l.buckets[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket)
	}
	for len(l.buckets) >= l.maxKeys {
		l.remove(l.lru.Back())
	}
	b := &bucket{key: key, full: now, used: now}
	l.buckets[key] = l.lru.PushFront(b)
	return b
}

// evictIdle drops the buckets unused for a whole window: each is full
// now, as a new one is. The list is in order of use, so only the idle
// tail is visited.
func (l *Limiter) evictIdle(now time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if now.Sub(e.Value.(*bucket).used) < l.window {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.buckets, e.Value.(*bucket).key)
	l.lru.Remove(e)
}
