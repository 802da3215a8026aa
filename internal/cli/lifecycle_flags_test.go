package cli

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
)

func TestLifecycleFlags(t *testing.T) {
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := bindServe(fs, &cfg).load([]string{
		"--enumeration-protection", "strict", "--password-max-age-non-member", "720h",
		"--password-history", "3", "--expiry-warning-days", "14", "--sweep-every", "1m",
	}, environ(map[string]string{"ENTRYKEYID_DORMANCY_MEMBER": "4380h"}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.DefaultLifecycle()
	want.EnumerationProtection = config.EnumerationStrict
	want.PasswordMaxAgeNonMember = 30 * 24 * time.Hour
	want.DormancyMember = 4380 * time.Hour
	want.PasswordHistory, want.ExpiryWarningDays, want.SweepEvery = 3, 14, time.Minute
	if cfg.Lifecycle != want {
		t.Errorf("lifecycle\n got %+v\nwant %+v", cfg.Lifecycle, want)
	}
}

func TestServeRefusesAnUnknownEnumerationProtection(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := run(t, nil, "serve", "--enumeration-protection", "paranoid", "--data-dir", dir)
	if r.code() != 2 || !strings.Contains(r.err.Error(), "enumeration-protection") {
		t.Fatalf("exit %d, %v; want 2 naming the flag", r.code(), r.err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the refused serve created the data folder (%v)", err)
	}
}
