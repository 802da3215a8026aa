package sqlstore

import (
	"context"
	"time"
)

// InsertSchemaVersionForTest records a migration this binary does not
// have, as a newer binary would.
func (db *DB) InsertSchemaVersionForTest(ctx context.Context, version int) error {
	_, err := db.exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		version, db.d.time(time.Now()))
	return err
}

// WriteOnReadPoolForTest runs an INSERT on the read pool, which must
// refuse it.
func WriteOnReadPoolForTest(ctx context.Context, db *DB) error {
	_, err := db.r.db.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		999, db.d.time(time.Now()))
	return err
}
