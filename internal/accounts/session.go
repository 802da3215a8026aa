package accounts

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// StartSession starts a single sign-on session for the account (LOGIN-7,
// SSO-2) and returns the cookie value: 256 fresh random bits, never a value
// the browser had before. Only its digest is stored, as Session.ID. The
// session lives at most cfg.SessionMax from now.
func (s *Service) StartSession(ctx context.Context, accountID string, m Meta) (string, *domain.Session, error) {
	cookie, id := newSecret()
	now := s.clock.Now()
	sess := &domain.Session{
		ID: id, AccountID: accountID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionMax),
		UserAgent: m.UserAgent, IP: m.IP,
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("start session: %w", err)
	}
	return cookie, sess, nil
}

// Session returns the live session behind a cookie value and its account,
// and records that it was seen now. It gives ENOTFOUND when there is no
// such session, it was ended, it has been idle for cfg.SessionIdle or
// longer, it is at or past its maximum lifetime (SSO-2), or its account's
// state (StateOf) is not active: locked, password expired, recovery
// required, disabled. A session found idle or too old is ended in the
// store.
func (s *Service) Session(ctx context.Context, cookieValue string) (*domain.Session, *domain.Account, error) {
	gone := domain.ErrNotFound("session")
	if cookieValue == "" || len(cookieValue) > maxSecretLen {
		return nil, nil, gone
	}
	id := digestOf(cookieValue)
	sess, err := s.store.SessionByID(ctx, id)
	if domain.IsNotFound(err) {
		return nil, nil, gone
	} else if err != nil {
		return nil, nil, err
	}
	if !sameDigest(sess.ID, id) || sess.EndedAt != nil {
		return nil, nil, gone
	}
	now := s.clock.Now()
	if !sess.Active(now, s.cfg.SessionIdle) {
		if err := s.store.EndSession(ctx, sess.ID, now); err != nil {
			return nil, nil, fmt.Errorf("end expired session: %w", err)
		}
		return nil, nil, gone
	}
	a, err := s.store.AccountByID(ctx, sess.AccountID)
	if domain.IsNotFound(err) {
		return nil, nil, gone
	} else if err != nil {
		return nil, nil, err
	}
	if st, _ := s.StateOf(a); st != StateActive {
		return nil, nil, gone // locked, expired, recovery required, disabled (PWD-3, LOGIN-2)
	}
	if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
		return nil, nil, fmt.Errorf("touch session: %w", err)
	}
	sess.LastSeenAt = now
	return sess, a, nil
}

// EndSession ends the session with the given ID (Session.ID, not the
// cookie value), revokes the tokens issued under it and audits the
// sign-out, in one transaction, together with the back-channel logout
// notices of the notifier, if one is set (SetLogoutNotifier). Ending an
// ended session revokes again and is neither audited nor notified twice.
// ENOTFOUND when there is no such session.
func (s *Service) EndSession(ctx context.Context, sessionID string, m Meta) error {
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx domain.Store) error {
		sess, err := tx.SessionByID(ctx, sessionID)
		if err != nil {
			return err
		}
		if err := tx.EndSession(ctx, sess.ID, now); err != nil {
			return err
		}
		if err := tx.RevokeBySession(ctx, sess.ID, now); err != nil {
			return err
		}
		if sess.EndedAt != nil {
			return nil
		}
		if err := s.notifyLogout(ctx, tx, sess.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, domain.AuditSignOut, sess.AccountID, m, "")
	})
	if err != nil && !domain.IsNotFound(err) {
		return fmt.Errorf("end session: %w", err)
	}
	return err
}
