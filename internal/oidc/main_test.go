package oidc

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestMain silences the library's logging, which goes to slog's default
// logger, unless the tests run with -v.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}
