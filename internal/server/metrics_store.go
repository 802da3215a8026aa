package server

import (
	"context"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// auditCounter is a domain.Store that counts sign-in outcomes as their
// audit events are written. Events written inside InTx are counted only
// when the transaction commits, so a rolled-back sign-in counts nothing.
type auditCounter struct {
	domain.Store
	metrics *Metrics
	pending *[]*domain.AuditEvent // events waiting for the commit; nil outside InTx
}

// countAudits wraps store so that metrics sees its audit events.
func countAudits(store domain.Store, m *Metrics) domain.Store {
	return &auditCounter{Store: store, metrics: m}
}

// AppendAudit writes the event and counts it (at commit, inside InTx).
func (s *auditCounter) AppendAudit(ctx context.Context, e *domain.AuditEvent) error {
	if err := s.Store.AppendAudit(ctx, e); err != nil {
		return err
	}
	if s.pending != nil {
		*s.pending = append(*s.pending, e)
	} else {
		s.metrics.observeAudit(e)
	}
	return nil
}

// InTx runs fn in one transaction of the wrapped store, handing fn a
// counting store too.
func (s *auditCounter) InTx(ctx context.Context, fn func(tx domain.Store) error) error {
	if s.pending != nil { // nested: same transaction, same pending list
		return s.Store.InTx(ctx, func(tx domain.Store) error {
			return fn(&auditCounter{Store: tx, metrics: s.metrics, pending: s.pending})
		})
	}
	var pending []*domain.AuditEvent
	err := s.Store.InTx(ctx, func(tx domain.Store) error {
		pending = pending[:0] // a store may retry fn on a serialization failure
		return fn(&auditCounter{Store: tx, metrics: s.metrics, pending: &pending})
	})
	if err == nil {
		for _, e := range pending {
			s.metrics.observeAudit(e)
		}
	}
	return err
}
