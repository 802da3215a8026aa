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
