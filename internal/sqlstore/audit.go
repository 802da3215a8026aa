package sqlstore

import (
	"context"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// AppendAudit inserts e and sets e.ID.
func (db *DB) AppendAudit(ctx context.Context, e *domain.AuditEvent) error {
	err := db.queryRowWrite(ctx, `INSERT INTO audit_events (time, type, account_id, actor_id, client_id, ip, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		db.d.time(e.Time), e.Type, e.AccountID, e.ActorID, e.ClientID, e.IP, e.Detail).Scan(&e.ID)
	return wrap(err, "append audit", "audit event")
}

// ListAudit returns the events matching f, newest (highest id) first; a
// zero Limit means no limit.
func (db *DB) ListAudit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEvent, error) {
	q := `SELECT id, time, type, account_id, actor_id, client_id, ip, detail FROM audit_events WHERE 1 = 1`
	var args []any
	if f.AccountID != "" {
		q += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if f.Type != "" {
		q += ` AND type = ?`
		args = append(args, f.Type)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "list audit", "audit event")
	}
	defer rows.Close()
	var es []*domain.AuditEvent
	for rows.Next() {
		var e domain.AuditEvent
		if err := rows.Scan(&e.ID, timeCol{&e.Time}, &e.Type, &e.AccountID, &e.ActorID, &e.ClientID,
			&e.IP, &e.Detail); err != nil {
			return nil, wrap(err, "list audit", "audit event")
		}
		es = append(es, &e)
	}
	return es, wrap(rows.Err(), "list audit", "audit event")
}
