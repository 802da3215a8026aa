package sqlstore

import (
	"context"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

const clientCols = `id, name, secret_digest, public, redirect_uris, post_logout_redirect_uris,
	backchannel_logout_uri, portal_type, signing_alg, created_at`

func scanClient(s scanner) (*domain.Client, error) {
	var c domain.Client
	err := s.Scan(&c.ID, &c.Name, &c.SecretDigest, &c.Public, listCol{&c.RedirectURIs},
		listCol{&c.PostLogoutRedirectURIs}, &c.BackchannelLogoutURI, &c.PortalType, &c.SigningAlg,
		timeCol{&c.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateClient inserts c; ECONFLICT when c.ID is taken.
func (db *DB) CreateClient(ctx context.Context, c *domain.Client) error {
	_, err := db.exec(ctx, `INSERT INTO clients (`+clientCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, c.SecretDigest, c.Public, listArg(c.RedirectURIs), listArg(c.PostLogoutRedirectURIs),
		c.BackchannelLogoutURI, c.PortalType, c.SigningAlg, db.d.time(c.CreatedAt))
	return wrap(err, "create client", "client")
}

// ClientByID returns the client; ENOTFOUND when there is none.
func (db *DB) ClientByID(ctx context.Context, id string) (*domain.Client, error) {
	c, err := scanClient(db.queryRow(ctx, `SELECT `+clientCols+` FROM clients WHERE id = ?`, id))
	return c, wrap(err, "client by id", "client")
}

// ListClients returns every client ordered by id.
func (db *DB) ListClients(ctx context.Context) ([]*domain.Client, error) {
	rows, err := db.query(ctx, `SELECT `+clientCols+` FROM clients ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list clients", "client")
	}
	defer rows.Close()
	var cs []*domain.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, wrap(err, "list clients", "client")
		}
		cs = append(cs, c)
	}
	return cs, wrap(rows.Err(), "list clients", "client")
}

// DeleteClient removes the client with its authorization requests and
// tokens; ENOTFOUND when there is none.
func (db *DB) DeleteClient(ctx context.Context, id string) error {
	res, err := db.exec(ctx, `DELETE FROM clients WHERE id = ?`, id)
	return notFoundUnless(res, err, "delete client", "client")
}
