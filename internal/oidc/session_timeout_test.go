package oidc

import (
	"testing"
	"time"
)

// TestSSO2_RefreshAtTheIdleBoundary: a refresh 59:59 after the session
// was last used works (and uses it); one 60:00 after is refused.
func TestSSO2_RefreshAtTheIdleBoundary(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()
	h.clock.Advance(59*time.Minute + 59*time.Second)
	next, err := r.refresh(s.token.RefreshToken)
	if err != nil {
		t.Fatalf("refresh at 59:59 idle: %v", err)
	}
	h.clock.Advance(60 * time.Minute)
	if _, err := r.refresh(next.RefreshToken); err == nil {
		t.Fatal("refresh works at 60:00 idle")
	}
}

// TestSSO2_RefreshAtTheMaximumLifetime: a session kept busy by refreshes
// still refreshes a second before its 12 hours, and not at 12 hours.
func TestSSO2_RefreshAtTheMaximumLifetime(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	tok := r.signIn().token.RefreshToken
	step, elapsed := 50*time.Minute, time.Duration(0)
	for elapsed+step < h.cfg.SessionMax {
		h.clock.Advance(step)
		elapsed += step
		next, err := r.refresh(tok)
		if err != nil {
			t.Fatalf("refresh after %v: %v", elapsed, err)
		}
		tok = next.RefreshToken
	}
	h.clock.Advance(h.cfg.SessionMax - elapsed - time.Second)
	next, err := r.refresh(tok)
	if err != nil {
		t.Fatalf("refresh a second before the maximum lifetime: %v", err)
	}
	h.clock.Advance(time.Second)
	if _, err := r.refresh(next.RefreshToken); err == nil {
		t.Fatal("refresh works at the maximum lifetime")
	}
}
