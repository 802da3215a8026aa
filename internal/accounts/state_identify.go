package accounts

import (
	"context"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// IdentifyState answers screen 1 of sign-in (LOGIN-2): the state of the
// account of email, for the screen that follows. A malformed or unknown
// address gives StateActive, so it goes to screen 2 exactly as an active
// account does; both cost one indexed lookup and nothing else. A password
// expiry or dormancy the row does not hold yet is stored now (and
// audited), as at sign-in.
//
// Under enumeration_protection = strict it makes no lookup at all and
// always gives StateActive: every state waits for a correct password
// (Authenticate).
func (s *Service) IdentifyState(ctx context.Context, email string, m Meta) (State, Reason, error) {
	if s.strict() {
		return StateActive, ReasonNone, nil
	}
	key, ok := NormalizeEmail(email)
	if !ok {
		return StateActive, ReasonNone, nil
	}
	a, err := s.store.AccountByEmailKey(ctx, key)
	if domain.IsNotFound(err) {
		return StateActive, ReasonNone, nil
	} else if err != nil {
		return "", "", err
	}
	return s.applyState(ctx, a, m)
}
