package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// dialect holds what differs between SQLite and PostgreSQL: placeholders,
// how a time is written, and how driver errors read. Queries are written
// once with "?" placeholders.
type dialect struct {
	name     string // "sqlite" or "postgres": also the migrations folder
	postgres bool
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres", postgres: true}
)

// sqliteTimeLayout is fixed width so that stored times compare as strings.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// rebind turns "?" placeholders into "$1", "$2"... for PostgreSQL. Our
// queries never hold a "?" inside a string literal.
func (d dialect) rebind(q string) string {
	if !d.postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// time returns t as a query argument: UTC, truncated to the microsecond
// that both databases keep.
func (d dialect) time(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.postgres {
		return t
	}
	return formatFixedTime(t)
}

// nullTime returns t as a query argument, NULL when t is nil.
func (d dialect) nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.time(*t)
}

// zeroNull returns t as a query argument, NULL when t is the zero time.
func (d dialect) zeroNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.time(t)
}

// SQLite extended result codes we tell apart.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// wrap turns a driver error into the domain's: sql.ErrNoRows becomes
// ENOTFOUND and a uniqueness violation ECONFLICT, each naming what. Other
// errors are wrapped with the operation for the log.
func wrap(err error, op, what string) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &domain.Error{Code: domain.ENOTFOUND, Message: what + " not found", Err: err}
	}
	switch constraintKind(err) {
	case "unique":
		return &domain.Error{Code: domain.ECONFLICT, Message: what + " already exists", Err: err}
	case "foreign":
		return &domain.Error{Code: domain.EINVALID, Message: what + " refers to a record that does not exist", Err: err}
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// constraintKind reports "unique" or "foreign" for those constraint
// violations of either driver, "" otherwise.
func constraintKind(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return "unique"
		case "23503":
			return "foreign"
		}
		return ""
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return "unique"
		case sqliteConstraintForeignKey:
			return "foreign"
		}
	}
	return ""
}

// notFoundUnless returns ENOTFOUND naming what when res changed no row.
func notFoundUnless(res sql.Result, err error, op, what string) error {
	if err != nil {
		return wrap(err, op, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(err, op, what)
	}
	if n == 0 {
		return domain.ErrNotFound(what)
	}
	return nil
}
