package accounts

import (
	"context"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// LogoutNotifier records, inside the transaction that ends the sessions,
// that the portals which received tokens in them are to be told
// (back-channel logout, SSO-3). It is given the transaction's Store, so
// the notices commit or roll back with the sign-out itself; it sends
// nothing on the request path (a worker delivers them). The server sets
// oidc.EnqueueBackchannelLogout; package accounts never imports oidc.
type LogoutNotifier func(ctx context.Context, tx domain.Store, sessionIDs []string) error

// SetLogoutNotifier makes every session end of the Service (EndSession,
// and the sessions ended after a password reset or change) notify n.
// Call it once, before the Service serves requests; nil turns
// notification off.
func (s *Service) SetLogoutNotifier(n LogoutNotifier) { s.logoutNotifier = n }

// notifyLogout passes the ended sessions to the notifier, if one is set,
// within tx (the Store of the transaction that ended them). Call it
// after store.EndSession / EndAccountSessions in the same InTx; an error
// must abort that transaction.
func (s *Service) notifyLogout(ctx context.Context, tx domain.Store, sessionIDs ...string) error {
	if s.logoutNotifier == nil || len(sessionIDs) == 0 {
		return nil
	}
	if err := s.logoutNotifier(ctx, tx, sessionIDs); err != nil {
		return fmt.Errorf("back-channel logout: %w", err)
	}
	return nil
}
