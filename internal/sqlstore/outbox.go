package sqlstore

import (
	"context"
	"sort"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const messageCols = `id, to_addr, subject, text_body, html_body, created_at, attempts,
	next_attempt_at, sent_at, last_error`

func scanMessage(s scanner) (*domain.Message, error) {
	var m domain.Message
	err := s.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, timeCol{&m.CreatedAt}, &m.Attempts,
		timeCol{&m.NextAttemptAt}, nullTimeCol{&m.SentAt}, &m.LastError)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// EnqueueMessage inserts m and sets m.ID. A zero NextAttemptAt means due
// at once.
func (db *DB) EnqueueMessage(ctx context.Context, m *domain.Message) error {
	err := db.queryRowWrite(ctx, `INSERT INTO outbox (to_addr, subject, text_body, html_body, created_at, attempts,
			next_attempt_at, sent_at, last_error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.To, m.Subject, m.Text, m.HTML, db.d.time(m.CreatedAt), m.Attempts, db.d.time(m.NextAttemptAt),
		db.d.nullTime(m.SentAt), m.LastError).Scan(&m.ID)
	return wrap(err, "enqueue message", "message")
}

// ClaimMessages takes up to limit unsent messages due at now, oldest due
// first, and moves their NextAttemptAt to now+lease in the same UPDATE, so
// no other worker claims them until the lease ends. PostgreSQL skips rows
// another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite runs one
// writer at a time. The messages return in id order.
func (db *DB) ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*domain.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if db.d.postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := db.queryWrite(ctx, `UPDATE outbox SET next_attempt_at = ?
		WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
		RETURNING `+messageCols, db.d.time(now.Add(lease)), db.d.time(now), limit)
	if err != nil {
		return nil, wrap(err, "claim messages", "message")
	}
	defer rows.Close()
	var ms []*domain.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, wrap(err, "claim messages", "message")
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "claim messages", "message")
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	return ms, nil
}

// MarkMessageSent records delivery at now and empties the text and HTML
// bodies, which may hold live link secrets that the database need not
// keep once the message is gone; the address, subject and times stay.
// ENOTFOUND when there is no message.
func (db *DB) MarkMessageSent(ctx context.Context, id int64, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE outbox SET sent_at = ?, last_error = '', text_body = '', html_body = ''
		WHERE id = ?`, db.d.time(now), id)
	return notFoundUnless(res, err, "mark message sent", "message")
}

// MarkMessageFailed counts a failed attempt, keeps its reason and makes
// the message due again at next; ENOTFOUND when there is no message.
func (db *DB) MarkMessageFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	res, err := db.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ?`, db.d.time(next), reason, id)
	return notFoundUnless(res, err, "mark message failed", "message")
}

// MessageByID returns the message; ENOTFOUND when there is none.
func (db *DB) MessageByID(ctx context.Context, id int64) (*domain.Message, error) {
	m, err := scanMessage(db.queryRow(ctx, `SELECT `+messageCols+` FROM outbox WHERE id = ?`, id))
	return m, wrap(err, "message by id", "message")
}

// mailLockKey is the first key of the PostgreSQL advisory locks that
// CountMessagesTo takes per address ("EKMA" in ASCII); the second key is
// a hash of the address.
const mailLockKey = 0x454b4d41

// CountMessagesTo returns how many messages to exactly the address to were
// enqueued after since (created_at > since), sent or not. On PostgreSQL
// it first takes a transaction-scoped advisory lock on the address:
// inside InTx, another transaction counting for the same address waits
// until this one ends, so a count followed by an enqueue stays exact under
// concurrency. SQLite write transactions begin IMMEDIATE and so run one at
// a time anyway. The count scans the outbox (no index on the address): it
// serves sign-up, not every request.
func (db *DB) CountMessagesTo(ctx context.Context, to string, since time.Time) (int, error) {
	if db.d.postgres && db.tx != nil {
		if _, err := db.exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, mailLockKey, to); err != nil {
			return 0, wrap(err, "lock address", "message")
		}
	}
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE to_addr = ? AND created_at > ?`,
		to, db.d.time(since)).Scan(&n)
	return n, wrap(err, "count messages", "message")
}
