package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// Modes of what the data folder holds: password hashes and signing keys
// are for the server's user alone.
const (
	dataDirMode fs.FileMode = 0o700
	dbFileMode  fs.FileMode = 0o600
)

// prepareDataDir makes sure the data folder exists, takes its lock when
// exclusive is set (see LockFile), and reports whether the SQLite
// database in it is new. A folder it creates gets mode 0700 whatever the
// umask; an existing one open to other users is left as the operator made
// it, with a warning. A new database file is created empty at mode 0600
// before SQLite opens it, so that it is never readable by others, not even
// for a moment. The lock is taken before the database file is looked at,
// so that of two servers started at once on a new folder, one creates and
// migrates the database and the other refuses to start.
func prepareDataDir(dir string, exclusive bool, log *slog.Logger) (fresh bool, lock *dataLock, err error) {
	if err := ensureDataDir(dir, log); err != nil {
		return false, nil, err
	}
	if exclusive {
		if lock, err = lockDataDir(dir); err != nil {
			return false, nil, err
		}
	}
	fresh, err = createDBFile(dir)
	if err != nil {
		lock.Release()
		return false, nil, err
	}
	return fresh, lock, nil
}

// ensureDataDir creates the data folder at mode 0700 if it is missing,
// and warns when an existing one is open to other users.
func ensureDataDir(dir string, log *slog.Logger) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, dataDirMode); err != nil {
			return fmt.Errorf("data folder: %w", err)
		}
		if err := os.Chmod(dir, dataDirMode); err != nil {
			return fmt.Errorf("data folder: %w", err)
		}
	case err != nil:
		return fmt.Errorf("data folder: %w", err)
	case !info.IsDir():
		return fmt.Errorf("data folder %s is not a folder", dir)
	case info.Mode().Perm()&0o077 != 0:
		log.Warn("the data folder is open to other users of this machine; it holds password hashes and signing keys: chmod 700 it",
			slog.String("path", dir), slog.String("mode", info.Mode().Perm().String()))
	}
	return nil
}

// createDBFile creates the SQLite database file empty at mode 0600 unless
// it exists, and reports whether it did.
func createDBFile(dir string) (fresh bool, err error) {
	path := filepath.Join(dir, SQLiteFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, dbFileMode)
	switch {
	case errors.Is(err, fs.ErrExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create %s: %w", path, err)
	}
	return true, f.Close()
}

// restrictSQLiteFiles sets mode 0600 on the database file and on the
// journal files beside it that exist (SQLite gives new ones the mode of
// the database file).
func restrictSQLiteFiles(path string) error {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		err := os.Chmod(path+suffix, dbFileMode)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restrict %s: %w", path+suffix, err)
		}
	}
	return nil
}
