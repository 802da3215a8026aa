package sqlstore

import (
	"context"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const keyCols = `id, alg, private_pem, created_at, retired_at`

// CreateSigningKey inserts k; ECONFLICT when its id exists.
func (db *DB) CreateSigningKey(ctx context.Context, k *domain.SigningKey) error {
	_, err := db.exec(ctx, `INSERT INTO signing_keys (`+keyCols+`) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Alg, k.PrivatePEM, db.d.time(k.CreatedAt), db.d.nullTime(k.RetiredAt))
	return wrap(err, "create signing key", "signing key")
}

// ListSigningKeys returns every key, retired or not, newest first.
func (db *DB) ListSigningKeys(ctx context.Context) ([]*domain.SigningKey, error) {
	rows, err := db.query(ctx, `SELECT `+keyCols+` FROM signing_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, wrap(err, "list signing keys", "signing key")
	}
	defer rows.Close()
	var ks []*domain.SigningKey
	for rows.Next() {
		var k domain.SigningKey
		if err := rows.Scan(&k.ID, &k.Alg, &k.PrivatePEM, timeCol{&k.CreatedAt}, nullTimeCol{&k.RetiredAt}); err != nil {
			return nil, wrap(err, "list signing keys", "signing key")
		}
		ks = append(ks, &k)
	}
	return ks, wrap(rows.Err(), "list signing keys", "signing key")
}

// RetireSigningKey sets RetiredAt unless it is set; ENOTFOUND when there
// is no key.
func (db *DB) RetireSigningKey(ctx context.Context, id string, now time.Time) error {
	res, err := db.exec(ctx, `UPDATE signing_keys SET retired_at = COALESCE(retired_at, ?) WHERE id = ?`,
		db.d.time(now), id)
	return notFoundUnless(res, err, "retire signing key", "signing key")
}
