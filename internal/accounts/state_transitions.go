package accounts

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// The transitions of docs/ACCOUNT_STATES.md. Each is one function and one
// audit event. Activation (Activate, domain.AuditActivate) and the lock
// after failed attempts (Authenticate, domain.AuditAccountLocked) live
// with sign-up and sign-in.

// auditActor appends one event through st with the person who acted, when
// not the account's owner.
func (s *Service) auditActor(ctx context.Context, st domain.Store, typ, accountID, actorID string, m Meta, detail string) error {
	err := st.AppendAudit(ctx, &domain.AuditEvent{
		Time: s.clock.Now(), Type: typ, AccountID: accountID, ActorID: actorID,
		ClientID: m.ClientID, IP: m.IP, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", typ, err)
	}
	return nil
}

// LockDormant stores the dormancy lock of a through st (PWD-4), audited
// as domain.AuditLockDormant. a is updated.
func (s *Service) LockDormant(ctx context.Context, st domain.Store, a *domain.Account, m Meta) error {
	now := s.clock.Now()
	if err := st.SetLock(ctx, a.ID, &now, domain.LockDormant); err != nil {
		return fmt.Errorf("lock dormant account: %w", err)
	}
	a.LockedAt, a.LockReason = &now, domain.LockDormant
	s.log.InfoContext(ctx, "account locked for dormancy", "account_id", a.ID)
	return s.audit(ctx, st, domain.AuditLockDormant, a.ID, m, "")
}

// ExpirePassword stores the lock of a whose password has expired (PWD-3),
// audited as domain.AuditPasswordExpired. a is updated. Only a reset (a
// new password) lifts it.
func (s *Service) ExpirePassword(ctx context.Context, st domain.Store, a *domain.Account, m Meta) error {
	now := s.clock.Now()
	if err := st.SetLock(ctx, a.ID, &now, domain.LockExpired); err != nil {
		return fmt.Errorf("lock expired password: %w", err)
	}
	a.LockedAt, a.LockReason = &now, domain.LockExpired
	s.log.InfoContext(ctx, "account locked: password expired", "account_id", a.ID)
	return s.audit(ctx, st, domain.AuditPasswordExpired, a.ID, m, "")
}

// RequireRecovery makes the account reset its password before it signs in
// again (LOGIN-2), audited as domain.AuditRecoveryRequired with the reason
// and actorID (staff, or "" for the system). Reason RecoveryAdminReset
// (PWD-6) sets the deadline now+AdminResetTTL; RecoveryMigrated (MIG-3)
// none. A password set after now fulfils the requirement.
func (s *Service) RequireRecovery(ctx context.Context, accountID, reason, actorID string) error {
	if reason != domain.RecoveryAdminReset && reason != domain.RecoveryMigrated {
		return errf(domain.EINVALID, "", "unknown recovery reason "+reason)
	}
	return s.store.InTx(ctx, func(tx domain.Store) error {
		a, err := tx.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		a.RecoveryReason, a.RecoveryRequiredAt, a.RecoveryDeadline, a.UpdatedAt = reason, &now, nil, now
		if reason == domain.RecoveryAdminReset {
			deadline := now.Add(AdminResetTTL)
			a.RecoveryDeadline = &deadline
		}
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		return s.auditActor(ctx, tx, domain.AuditRecoveryRequired, a.ID, actorID, Meta{}, reason)
	})
}

// Unlock lifts a lock for failed attempts or dormancy, audited as
// domain.AuditUnlock with actorID. The password stays; an expired password
// or a recovery requirement is not lifted (that takes ResetDone). A
// missing lock is not an error and is not audited.
func (s *Service) Unlock(ctx context.Context, st domain.Store, accountID, actorID string, m Meta) error {
	a, err := st.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if !a.Locked() || a.LockReason == domain.LockExpired {
		return nil
	}
	if err := st.SetLock(ctx, a.ID, nil, ""); err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	return s.auditActor(ctx, st, domain.AuditUnlock, a.ID, actorID, m, a.LockReason)
}

// ResetDone records through st that the account's password was just set
// by its owner (recovery or change): every lock and the recovery
// requirement are cleared, audited as domain.AuditResetDone. Call it in
// the transaction that stores the new password.
func (s *Service) ResetDone(ctx context.Context, st domain.Store, accountID string, m Meta) error {
	a, err := st.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Locked() || a.FailedLogins > 0 {
		if err := st.SetLock(ctx, a.ID, nil, ""); err != nil {
			return fmt.Errorf("reset done: %w", err)
		}
	}
	if a.RecoveryReason != "" || a.RecoveryDeadline != nil {
		a.RecoveryReason, a.RecoveryRequiredAt, a.RecoveryDeadline, a.UpdatedAt = "", nil, nil, s.clock.Now()
		if err := st.UpdateAccount(ctx, a); err != nil {
			return err
		}
	}
	return s.audit(ctx, st, domain.AuditResetDone, a.ID, m, "")
}

// Disable turns the account off (staff), audited as domain.AuditDisable:
// it cannot sign in or recover; its sessions end and its tokens are
// revoked in the same transaction.
func (s *Service) Disable(ctx context.Context, accountID, actorID string, m Meta) error {
	return s.setStatus(ctx, accountID, domain.StatusDisabled, domain.AuditDisable, actorID, m)
}

// Enable turns a disabled account back on (staff), audited as
// domain.AuditEnable. Its other facts (locks, password age) still apply.
func (s *Service) Enable(ctx context.Context, accountID, actorID string, m Meta) error {
	return s.setStatus(ctx, accountID, domain.StatusActive, domain.AuditEnable, actorID, m)
}

func (s *Service) setStatus(ctx context.Context, accountID, status, auditType, actorID string, m Meta) error {
	return s.store.InTx(ctx, func(tx domain.Store) error {
		a, err := tx.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if a.Status == status {
			return nil
		}
		if status == domain.StatusActive && a.Status != domain.StatusDisabled {
			return errf(domain.EINVALID, "", "only a disabled account can be enabled")
		}
		now := s.clock.Now()
		a.Status, a.UpdatedAt = status, now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if status == domain.StatusDisabled {
			ended, err := tx.EndAccountSessions(ctx, a.ID, "", now)
			if err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
			if err := s.notifyLogout(ctx, tx, ended...); err != nil {
				return err
			}
			if err := tx.RevokeByAccount(ctx, a.ID, now); err != nil {
				return fmt.Errorf("revoke tokens: %w", err)
			}
		}
		return s.auditActor(ctx, tx, auditType, a.ID, actorID, m, "")
	})
}

// applyState stores the lock a computed state implies but the account row
// does not hold yet (password expired, dormancy), so the recovery flow and
// every node see it, and returns the state. Other states are returned as
// computed.
func (s *Service) applyState(ctx context.Context, a *domain.Account, m Meta) (State, Reason, error) {
	st, r := s.StateOf(a)
	switch {
	case a.Locked():
	case st == StatePasswordExpired:
		return st, r, s.ExpirePassword(ctx, s.store, a, m)
	case st == StateLocked && r == ReasonDormant:
		return st, r, s.LockDormant(ctx, s.store, a, m)
	}
	return st, r, nil
}
