package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Report is everything one run measured. --json prints it as is.
type Report struct {
	Target     string   `json:"target"`
	InProcess  bool     `json:"in_process"`
	Store      string   `json:"store"`
	SigningAlg string   `json:"signing_alg"`
	Argon2     string   `json:"argon2"`
	Users      int      `json:"users"`
	Duration   string   `json:"duration"`
	Warmup     string   `json:"warmup"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	Scenarios  []Result `json:"scenarios"`

	Argon2PerSecond float64 `json:"argon2_per_second"` // (g)
	SignPerSecond   float64 `json:"sign_per_second"`   // (h)
	// Cores kept busy while (g) and (h) ran: [this process, all others].
	Argon2CPU [2]float64 `json:"argon2_cpu"`
	SignCPU   [2]float64 `json:"sign_cpu"`
	// SignInRatio is (a)/(g) and SSORatio (b)/(h); zero when (a) or (b)
	// did not run.
	SignInRatio float64 `json:"signin_over_argon2"`
	SSORatio    float64 `json:"sso_over_sign"`

	// Resident memory of this process, from /proc/self/status, in MiB:
	// the peak (VmHWM) and at the end (VmRSS).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	RSSMiB     float64 `json:"rss_mib"`
	// Peaks while (g) and (h) ran, zero where they could not be told apart.
	Argon2PeakRSSMiB float64 `json:"argon2_peak_rss_mib"`
	SignPeakRSSMiB   float64 `json:"sign_peak_rss_mib"`
}

// mib formats a peak, "-" when unknown.
func mib(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", v)
}

// result returns the scenario with key k, if it ran.
func (r *Report) result(k string) (Result, bool) {
	for _, s := range r.Scenarios {
		if s.Key == k {
			return s, true
		}
	}
	return Result{}, false
}

// ratios fills SignInRatio and SSORatio.
func (r *Report) ratios() {
	if a, ok := r.result("a"); ok && r.Argon2PerSecond > 0 {
		r.SignInRatio = a.PerSecond / r.Argon2PerSecond
	}
	if b, ok := r.result("b"); ok && r.SignPerSecond > 0 {
		r.SSORatio = b.PerSecond / r.SignPerSecond
	}
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes r as a readable table.
func (r *Report) WriteTable(w io.Writer) error {
	where := r.Target
	if r.InProcess {
		where += " (in-process)"
	}
	fmt.Fprintf(w, "entrykeyid bench: %s, store %s, %s, argon2id %s\n", where, r.Store, r.SigningAlg, r.Argon2)
	fmt.Fprintf(w, "%d virtual users, %s per scenario after %s warm-up, GOMAXPROCS %d\n\n", r.Users, r.Duration, r.Warmup, r.GOMAXPROCS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tops\terrors\tops/s\tp50 ms\tp99 ms\tmax ms\tcpu self\tcpu others\tpeak MiB\t")
	for _, s := range r.Scenarios {
		fmt.Fprintf(tw, "(%s) %s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n",
			s.Key, s.Name, s.Ops, s.Errors, s.PerSecond, s.P50ms, s.P99ms, s.MaxMs, s.CPUSelf, s.CPUOthers, mib(s.PeakRSSMiB))
	}
	fmt.Fprintf(tw, "(g) argon2id verify, all cores\t\t\t%.1f\t\t\t\t%.2f\t%.2f\t%s\t\n",
		r.Argon2PerSecond, r.Argon2CPU[0], r.Argon2CPU[1], mib(r.Argon2PeakRSSMiB))
	fmt.Fprintf(tw, "(h) %s sign, all cores\t\t\t%.1f\t\t\t\t%.2f\t%.2f\t%s\t\n",
		r.SigningAlg, r.SignPerSecond, r.SignCPU[0], r.SignCPU[1], mib(r.SignPeakRSSMiB))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if r.SignInRatio > 0 {
		fmt.Fprintf(w, "(a)/(g) password sign-in over raw argon2id: %.2f\n", r.SignInRatio)
	}
	if r.SSORatio > 0 {
		fmt.Fprintf(w, "(b)/(h) silent SSO over raw %s signing:  %.3f\n", r.SigningAlg, r.SSORatio)
	}
	fmt.Fprintf(w, "resident memory of this process: peak %.1f MiB over the run, %.1f MiB at the end\n", r.PeakRSSMiB, r.RSSMiB)
	fmt.Fprintln(w, "cpu: cores kept busy during each measured window, by this process and by all others (steal included)")
	fmt.Fprintln(w, "peak MiB: this process's peak resident memory during each scenario (warm-up included) or raw rate")
	for _, s := range r.Scenarios {
		if s.FirstError != "" {
			fmt.Fprintf(w, "first error in (%s) %s: %s\n", s.Key, s.Name, s.FirstError)
		}
	}
	return nil
}

// resetPeakRSS makes the kernel start VmHWM afresh from the current
// resident size (Linux: "5" written to /proc/self/clear_refs), so that a
// later memory() reading is the peak of what ran in between. It reports
// whether the reset worked.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// memory reads VmHWM and VmRSS of this process in MiB (zero where
// /proc is not available).
func memory() (peak, now float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v) // "123456 kB"
		if len(fields) == 0 {
			continue
		}
		kb, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmHWM":
			peak = kb / 1024
		case "VmRSS":
			now = kb / 1024
		}
	}
	return peak, now
}
