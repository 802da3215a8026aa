package domain

import (
	"context"
	"time"
)

// Message is a rendered email waiting in the outbox.
type Message struct {
	ID            int64
	To            string
	Subject       string
	Text          string
	HTML          string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
}

// Sender delivers one message: by SMTP, or into a folder of .eml files.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}
