package e2e

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// NewTestLogger returns a JSON logger whose lines go to the test's log,
// prefixed with name, until the test ends; lines written after that (a
// background task finishing late) are dropped instead of panicking.
func NewTestLogger(t testing.TB, name string) *slog.Logger {
	w := &testWriter{t: t, name: name}
	t.Cleanup(w.stop)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	name string
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("%s: %s", w.name, bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
