package bench

import (
	"slices"
	"time"
)

// latencies holds every recorded duration of one virtual user. Each
// virtual user owns one, so recording takes no lock; merge joins them
// after the run.
type latencies []time.Duration

// summary is what a scenario reports about its latencies.
type summary struct {
	N   int
	P50 time.Duration
	P99 time.Duration
	Max time.Duration
}

// summarize merges the per-user records and returns exact percentiles
// (nearest rank) over all of them.
func summarize(all []latencies) summary {
	n := 0
	for _, l := range all {
		n += len(l)
	}
	merged := make([]time.Duration, 0, n)
	for _, l := range all {
		merged = append(merged, l...)
	}
	if n == 0 {
		return summary{}
	}
	slices.Sort(merged)
	return summary{N: n, P50: rank(merged, 0.50), P99: rank(merged, 0.99), Max: merged[n-1]}
}

// rank returns the nearest-rank percentile p (0..1) of sorted d.
func rank(d []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(d))+0.999999) - 1
	i = max(0, min(i, len(d)-1))
	return d[i]
}
