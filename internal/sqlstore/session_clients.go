package sqlstore

import (
	"context"
)

// ClientsForSession returns the distinct client ids of the tokens issued
// in the session, sorted (back-channel logout, SSO-3). It reads the
// tokens table through its session index; an empty id matches nothing.
func (db *DB) ClientsForSession(ctx context.Context, sessionID string) ([]string, error) {
	if sessionID == "" {
		return nil, nil
	}
	rows, err := db.query(ctx, `SELECT DISTINCT client_id FROM tokens
		WHERE session_id = ? AND session_id <> '' ORDER BY client_id`, sessionID)
	if err != nil {
		return nil, wrap(err, "clients for session", "token")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err, "clients for session", "token")
		}
		ids = append(ids, id)
	}
	return ids, wrap(rows.Err(), "clients for session", "token")
}
