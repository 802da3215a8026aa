package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// A SQLite file in WAL mode appends every commit to the WAL, and a
// checkpoint copies the WAL back into the database file, with an fsync
// before and after. Left to SQLite, the connection whose commit crosses
// wal_autocheckpoint pages runs the checkpoint inside that commit, and
// with one writer connection every other write waits for those fsyncs.
// The checkpointer runs it instead, in the background on a connection of
// its own, after every checkpointEvery writes and within checkpointIdle
// of the last one. The writer's own automatic checkpoint stays, at
// writerAutocheckpoint pages, as a backstop. (Under a steady write load a
// background checkpoint rarely catches up with the writer, so the WAL
// starts over only after the writer's own: its fsyncs then come once per
// writerAutocheckpoint pages instead of once per 1,000.)
const (
	checkpointEvery      = 100
	checkpointIdle       = time.Second
	writerAutocheckpoint = 10000 // pages: 40 MB of WAL
)

type checkpointer struct {
	db      *sql.DB
	writes  atomic.Int64
	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
}

// startCheckpointer opens one connection with dsn and starts checkpointing.
func startCheckpointer(ctx context.Context, dsn string) (*checkpointer, error) {
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	sdb.SetMaxOpenConns(1)
	sdb.SetMaxIdleConns(1)
	sdb.SetConnMaxLifetime(0)
	sdb.SetConnMaxIdleTime(0)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	c := &checkpointer{db: sdb, kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c, nil
}

// wrote counts one committed write and wakes the checkpointer every
// checkpointEvery writes. It never blocks.
func (c *checkpointer) wrote() {
	if c.writes.Add(1)%checkpointEvery == 0 {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	tick := time.NewTicker(checkpointIdle)
	defer tick.Stop()
	var done int64 // writes covered by the last checkpoint
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-tick.C:
			if c.writes.Load() == done {
				continue
			}
		}
		done = c.writes.Load()
		// PASSIVE copies what no reader still needs and waits for no
		// one. A failure (another process checkpointing) leaves the WAL
		// to the next round, or to the writer's backstop.
		c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.stopped
	return c.db.Close()
}
