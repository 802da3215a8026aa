package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// parseTime reads a time column of either dialect: time.Time from
// PostgreSQL, fixed-width text from SQLite. ok is false for NULL.
func parseTime(src any) (t time.Time, ok bool, err error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string:
		if t, ok := parseFixedTime(v); ok {
			return t, true, nil
		}
		t, err = time.Parse(time.RFC3339Nano, v)
	case []byte:
		if t, ok := parseFixedTime(string(v)); ok {
			return t, true, nil
		}
		t, err = time.Parse(time.RFC3339Nano, string(v))
	default:
		return time.Time{}, false, fmt.Errorf("sqlstore: cannot read %T as a time", src)
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("sqlstore: bad stored time: %w", err)
	}
	return t.UTC(), true, nil
}

// timeCol scans a time column; NULL reads as the zero time.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	t, _, err := parseTime(src)
	if err != nil {
		return err
	}
	*c.p = t
	return nil
}

// nullTimeCol scans a nullable time column into a *time.Time.
type nullTimeCol struct{ p **time.Time }

func (c nullTimeCol) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*c.p = nil
		return nil
	}
	*c.p = &t
	return nil
}

// listCol scans a JSON array of strings; an empty array reads as nil.
type listCol struct{ p *[]string }

func (c listCol) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		*c.p = nil
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot read %T as a list", src)
	}
	s, ok := parsePlainList(text)
	if !ok && len(text) > 0 {
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			return fmt.Errorf("sqlstore: bad stored list: %w", err)
		}
	}
	if len(s) == 0 {
		s = nil
	}
	*c.p = s
	return nil
}

// listArg writes a list as a JSON array; nil is "[]".
func listArg(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	if b, ok := appendPlainList(nil, s); ok {
		return string(b)
	}
	b, err := json.Marshal(s)
	if err != nil {
		// Marshaling a []string cannot fail.
		panic(err)
	}
	return string(b)
}
