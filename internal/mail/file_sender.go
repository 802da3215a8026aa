package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// FileSender delivers messages as RFC 5322 .eml files into a folder (the
// default with no SMTP relay, and the development inbox's source).
//
// Each file is named TIME-ID-RANDOM.eml, with TIME the UTC time of writing
// to the nanosecond in a fixed-width form, so names sort by time and never
// collide. A file is written under a temporary name and renamed into
// place, so a reader never sees half a message. The files hold live
// activation links (anyone who can read one can use its link until it
// expires), so they are created 0600 in a folder created 0700, and are
// meant for development and single-user hosts; nothing deletes them. Use
// an SMTP relay where others can read the data folder.
type FileSender struct {
	dir string
	// From is the From address of every message. NewFileSender sets
	// DefaultFrom; set it (to config MailFrom) before the first Send.
	From string
	now  func() time.Time
}

var _ domain.Sender = (*FileSender)(nil)

// fileTimeLayout sorts lexically in time order: fixed width, UTC.
const fileTimeLayout = "20060102T150405.000000000Z"

// NewFileSender returns a FileSender writing into dir, which is created on
// the first Send if it does not exist.
func NewFileSender(dir string) *FileSender {
	return &FileSender{dir: dir, From: DefaultFrom, now: func() time.Time { return time.Now().UTC() }}
}

// Dir returns the folder the messages are written into.
func (s *FileSender) Dir() string { return s.dir }

// Send writes m as one .eml file. When it returns nil the file is complete
// and in place; on an error no .eml file is left behind.
func (s *FileSender) Send(ctx context.Context, m *domain.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	msg, err := buildMsg(s.From, m, now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("mail: create mail folder: %w", err)
	}
	// The temporary name does not end in .eml, so the inbox never lists it.
	tmp, err := os.CreateTemp(s.dir, ".writing-*.tmp")
	if err != nil {
		return fmt.Errorf("mail: create message file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write message file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: write message file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: write message file: %w", err)
	}
	name := fmt.Sprintf("%s-%d-%s.eml", now.UTC().Format(fileTimeLayout), m.ID, randomHex(4))
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("mail: place message file: %w", err)
	}
	return nil
}
