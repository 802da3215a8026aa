package server

import (
	"context"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// enqueueNotifier is a domain.Store that wakes the mail worker when a
// message is put in the outbox, so that an activation email leaves at
// once rather than at the worker's next poll. Inside InTx the wake-up
// waits for the commit: before it, the worker could not see the message.
// (A wake-up before the commit would be harmless all the same: the worker
// also polls every second, and would find the message then.)
type enqueueNotifier struct {
	domain.Store
	notify  func()
	pending *bool // a message was enqueued in the transaction; nil outside InTx
}

// notifyOnEnqueue wraps store so that notify runs after every committed
// EnqueueMessage.
func notifyOnEnqueue(store domain.Store, notify func()) domain.Store {
	return &enqueueNotifier{Store: store, notify: notify}
}

// EnqueueMessage puts m in the outbox and wakes the worker (at commit,
// inside InTx).
func (s *enqueueNotifier) EnqueueMessage(ctx context.Context, m *domain.Message) error {
	if err := s.Store.EnqueueMessage(ctx, m); err != nil {
		return err
	}
	if s.pending != nil {
		*s.pending = true
	} else {
		s.notify()
	}
	return nil
}

// InTx runs fn in one transaction of the wrapped store, and wakes the
// worker after the commit if fn enqueued a message.
func (s *enqueueNotifier) InTx(ctx context.Context, fn func(tx domain.Store) error) error {
	if s.pending != nil { // nested: the outer transaction notifies
		return s.Store.InTx(ctx, func(tx domain.Store) error {
			return fn(&enqueueNotifier{Store: tx, notify: s.notify, pending: s.pending})
		})
	}
	var pending bool
	err := s.Store.InTx(ctx, func(tx domain.Store) error {
		pending = false // a store may retry fn
		return fn(&enqueueNotifier{Store: tx, notify: s.notify, pending: &pending})
	})
	if err == nil && pending {
		s.notify()
	}
	return err
}
