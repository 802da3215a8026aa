package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is a reading of the machine's busy CPU time and this
// process's own CPU time. Two readings tell how much CPU this process
// used meanwhile, and how much everything else on the machine did: the
// second number says whether other work skewed a measurement.
type cpuSample struct {
	at   time.Time
	busy time.Duration // all CPUs, every process, since boot (/proc/stat)
	self time.Duration // this process, user and system (getrusage)
	ok   bool
}

// clockTick is USER_HZ, the unit of /proc/stat, which Linux fixes at 100.
const clockTick = 10 * time.Millisecond

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return s
	}
	s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return s
	}
	var ticks int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s
		}
		ticks += n
	}
	s.busy = time.Duration(ticks) * clockTick
	s.ok = true
	return s
}

// cpuUse returns the cores this process and all other processes (steal
// time included) kept busy on average between a and b; both are zero
// when the readings are not available.
func cpuUse(a, b cpuSample) (self, others float64) {
	wall := b.at.Sub(a.at).Seconds()
	if !a.ok || !b.ok || wall <= 0 {
		return 0, 0
	}
	self = (b.self - a.self).Seconds() / wall
	others = max(0, (b.busy-a.busy).Seconds()/wall-self)
	return self, others
}
