package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

const versionAbout = `Prints the version of this binary (its module version, and the commit it was
built from when the build recorded one) and the Go version that built it.`

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "version", versionAbout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}

// versionLine is "entrykeyid VERSION [commit REV[, modified]] (GOVERSION)".
// VERSION is the module version recorded in the binary: a tag such as
// v1.2.0 when installed with `go install ...@v1.2.0`, "(devel)" when built
// from a checkout.
func versionLine() string {
	version, goVersion, rev := "(devel)", runtime.Version(), ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" && modified {
			rev += ", modified"
		}
	}
	if rev != "" {
		return fmt.Sprintf("entrykeyid %s commit %s (%s)", version, rev, goVersion)
	}
	return fmt.Sprintf("entrykeyid %s (%s)", version, goVersion)
}
