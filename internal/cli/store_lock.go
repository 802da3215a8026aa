package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the name of the lock file inside the data folder. A server
// (serve, demo) on SQLite holds an exclusive flock on it while it runs, so
// that a second server on the same folder refuses to start instead of
// re-registering the demo portals under its own ports or migrating under
// the first one. The file stays; only the lock comes and goes, and the
// kernel drops it when the process ends, however it ends.
const LockFile = "entrykeyid.lock"

// dataLock is a held lock on a data folder.
type dataLock struct{ f *os.File }

// lockDataDir takes the lock of the data folder dir, which must exist.
// When another process (or another server in this one) holds it, the
// error is one line that names the folder and, when known, that process.
func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, dbFileMode)
	if err != nil {
		return nil, fmt.Errorf("lock the data folder: %w", err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the data folder %s is in use by another EntryKeyID server%s; stop it, "+
				"or give this one its own --data-dir", dir, holder)
		}
		return nil, fmt.Errorf("lock the data folder %s: %w", dir, err)
	}
	// Who holds it, for the message of the next one to try.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dataLock{f: f}, nil
}

// Release lets the next server take the folder. It is safe on nil.
func (l *dataLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = flock(l.f, syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
}

// flock is syscall.Flock on f, retried when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// readHolder describes the process id the holder wrote, as " (process
// N)", or "" when the file holds none.
func readHolder(f *os.File) string {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return ""
	}
	if pid == os.Getpid() {
		return " (in this process)"
	}
	return fmt.Sprintf(" (process %d)", pid)
}
