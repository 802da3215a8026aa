package mail

import (
	"context"
	"sync"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// Recorder is a Sender that keeps copies of the messages it is given, for
// tests of code where mail is not the subject. It is safe for concurrent
// use; the zero value is ready.
type Recorder struct {
	mu   sync.Mutex
	sent []domain.Message
}

var _ domain.Sender = (*Recorder)(nil)

// Send records a copy of m.
func (r *Recorder) Send(ctx context.Context, m *domain.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	r.sent = append(r.sent, *m)
	r.mu.Unlock()
	return nil
}

// Messages returns copies of the recorded messages, oldest first.
func (r *Recorder) Messages() []domain.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]domain.Message(nil), r.sent...)
}
