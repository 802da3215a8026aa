package web

import (
	"net/http"

	"github.com/entrykeyid/entrykeyid/internal/accounts"
)

// stateScreen answers sign-in for an account whose state is not active
// (LOGIN-2), after screen 1 (enumeration_protection = standard) or after a
// correct password (strict, and every refusal of screen 2). p carries the
// username and auth request. It reports whether it answered: false for
// StateActive, which goes on to screen 2.
//
//   - recovery required: a recovery email is sent (accounts.StartRecovery)
//     and "check your email" shows with Resend (data-screen "check-email");
//   - locked (failed attempts, dormancy) and password expired: how to get
//     back in through "Trouble logging in?" (data-screen "locked"), whose
//     button sends the recovery email for the address;
//   - disabled: the disabled-account message with Contact us
//     (data-screen "disabled");
//   - pending: "check your email" for the activation, with Resend.
func (s *Server) stateScreen(w http.ResponseWriter, r *http.Request, p *page, st accounts.State, reason accounts.Reason, clientID string) bool {
	switch st {
	case accounts.StateRecoveryRequired:
		if err := s.accounts.StartRecovery(r.Context(), p.Username, meta(r, clientID)); err != nil {
			s.failErr(w, r, err)
			return true
		}
		s.recoverySent(w, r, p.Username, 0, "recover.required")
	case accounts.StateLocked, accounts.StatePasswordExpired:
		p.Screen, p.Notice = "locked", "locked.failed_attempts"
		switch {
		case st == accounts.StatePasswordExpired:
			p.Notice = "locked.expired"
		case reason == accounts.ReasonDormant:
			p.Notice = "locked.dormant"
		}
		s.write(w, r, http.StatusForbidden, p)
	case accounts.StateDisabled:
		p.Screen = "disabled"
		s.write(w, r, http.StatusForbidden, p)
	case accounts.StatePending:
		p.Screen, p.Notice = "check-email", "state.pending"
		s.write(w, r, http.StatusForbidden, p)
	default:
		return false
	}
	return true
}

// stateOfKey maps the sign-in refusals of accounts.Authenticate that have
// a state screen to the state; ok is false for the others (wrong password,
// pending, which screen 2 shows itself).
func stateOfKey(key string) (st accounts.State, reason accounts.Reason, ok bool) {
	switch key {
	case accounts.KeyLoginLocked:
		return accounts.StateLocked, accounts.ReasonFailedAttempts, true
	case accounts.KeyLoginDormant:
		return accounts.StateLocked, accounts.ReasonDormant, true
	case accounts.KeyLoginExpired:
		return accounts.StatePasswordExpired, accounts.ReasonNone, true
	case accounts.KeyLoginDisabled:
		return accounts.StateDisabled, accounts.ReasonNone, true
	case accounts.KeyLoginRecovery:
		return accounts.StateRecoveryRequired, accounts.ReasonNone, true
	}
	return "", "", false
}
