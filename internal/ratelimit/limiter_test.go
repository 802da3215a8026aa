package ratelimit

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestBurstThenRefillAtTheRate(t *testing.T) {
	clock := domain.NewFixedClock(t0)
	l := New(Rate{PerSecond: 10.0 / 60, Burst: 10}, clock, 0) // 10 a minute, burst 10
	for i := range 10 {
		if ok, _ := l.Allow("198.51.100.7"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("198.51.100.7")
	if ok || retry != 6*time.Second {
		t.Fatalf("11th request: ok=%v retry=%v, want refused, retry 6s", ok, retry)
	}
	// Another key has its own bucket.
	if ok, _ := l.Allow("198.51.100.8"); !ok {
		t.Fatal("another client was refused")
	}
	// One token comes back every 6 s: not at 5.999 s, yes at 6 s.
	clock.Set(t0.Add(6*time.Second - time.Millisecond))
	if ok, retry := l.Allow("198.51.100.7"); ok || retry != time.Millisecond {
		t.Fatalf("at 5.999s: ok=%v retry=%v, want refused, retry 1ms", ok, retry)
	}
	clock.Set(t0.Add(6 * time.Second))
	if ok, _ := l.Allow("198.51.100.7"); !ok {
		t.Fatal("at 6s the refilled token was refused")
	}
	if ok, _ := l.Allow("198.51.100.7"); ok {
		t.Fatal("at 6s a second token was given")
	}
}

func TestRefundGivesATokenBackUpToTheBurst(t *testing.T) {
	clock := domain.NewFixedClock(t0)
	l := New(Rate{PerSecond: 1, Burst: 2}, clock, 0)
	l.Allow("c")
	l.Allow("c")
	if ok, _ := l.Allow("c"); ok {
		t.Fatal("third request allowed")
	}
	l.Refund("c")
	if ok, _ := l.Allow("c"); !ok {
		t.Fatal("refunded token not there")
	}
	for range 5 {
		l.Refund("c")
	}
	for i := range 3 {
		ok, _ := l.Allow("c")
		if ok != (i < 2) {
			t.Fatalf("after many refunds, request %d ok=%v: the bucket must hold at most the burst (2)", i+1, ok)
		}
	}
	l.Refund("unknown") // no bucket: nothing happens
	if l.Len() != 1 {
		t.Fatalf("Len = %d, want 1", l.Len())
	}
}

func TestIdleBucketsAreDroppedOnceFull(t *testing.T) {
	clock := domain.NewFixedClock(t0)
	l := New(Rate{PerSecond: 1, Burst: 10}, clock, 0) // fills from empty in 10 s
	for i := range 100 {
		l.Allow(fmt.Sprint("client-", i))
	}
	clock.Set(t0.Add(5 * time.Second))
	l.Allow("late")
	if l.Len() != 101 {
		t.Fatalf("after 5 s, Len = %d, want 101 (none full yet)", l.Len())
	}
	clock.Set(t0.Add(10*time.Second - time.Nanosecond))
	l.Allow("late")
	if l.Len() != 101 {
		t.Fatalf("just before 10 s, Len = %d, want 101", l.Len())
	}
	clock.Set(t0.Add(10 * time.Second))
	l.Allow("late")
	if l.Len() != 1 {
		t.Fatalf("at 10 s, Len = %d, want 1: the idle buckets are full and dropped", l.Len())
	}
}

func TestMapSizeIsCappedByDroppingTheLeastRecentlyUsed(t *testing.T) {
	clock := domain.NewFixedClock(t0)
	l := New(Rate{PerSecond: 1, Burst: 1}, clock, 3)
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k) // each bucket now empty
	}
	l.Allow("a") // refused, but a is now the most recently used
	if ok, _ := l.Allow("d"); !ok || l.Len() != 3 {
		t.Fatalf("a new key in a full limiter: ok=%v Len=%d, want allowed and 3", ok, l.Len())
	}
	// b was the least recently used: dropped, so it starts full again
	// (and its return drops c, now the least recently used).
	if ok, _ := l.Allow("b"); !ok {
		t.Error("b was not the one dropped")
	}
	// d and a were kept, with their empty buckets.
	for _, k := range []string{"d", "a"} {
		if ok, _ := l.Allow(k); ok {
			t.Errorf("%s's bucket was lost", k)
		}
	}
	if l.Len() != 3 {
		t.Errorf("Len = %d, want 3", l.Len())
	}
}

func TestUnlimitedRateAllowsEverythingAndKeepsNothing(t *testing.T) {
	l := New(Rate{}, domain.NewFixedClock(t0), 0)
	for range 1000 {
		if ok, _ := l.Allow("x"); !ok {
			t.Fatal("refused")
		}
	}
	if l.Len() != 0 {
		t.Fatalf("Len = %d", l.Len())
	}
}

func TestConcurrentUseGivesExactlyTheBurst(t *testing.T) {
	l := New(Rate{PerSecond: 0.001, Burst: 50}, domain.NewFixedClock(t0), 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if ok, _ := l.Allow("shared"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d of 200 concurrent requests allowed, want the burst, 50", allowed)
	}
}
