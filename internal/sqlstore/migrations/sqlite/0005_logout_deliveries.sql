-- Back-channel logout notices (SSO-3): one row per portal to tell of an
-- ended session, written in the transaction that ends it and posted by a
-- worker with retries. done_at is set when delivered or given up.
CREATE TABLE logout_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id       TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    done_at         TEXT,
    delivered       INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, session_id)
);
CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at, id) WHERE done_at IS NULL;
CREATE INDEX logout_deliveries_session ON logout_deliveries (session_id);
CREATE INDEX logout_deliveries_done ON logout_deliveries (done_at) WHERE done_at IS NOT NULL;
