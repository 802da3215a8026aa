-- Account lifecycle (issue 3): account type, recovery requirement and its
-- deadline (PWD-6), expiry-warning marker (PWD-8), the time of the last
-- lifted lock (dormancy counts from it, PWD-4), password history (PWD-2)
-- and the job leases of the background sweeper.
ALTER TABLE accounts ADD COLUMN account_type TEXT NOT NULL DEFAULT 'member';
ALTER TABLE accounts ADD COLUMN recovery_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN recovery_required_at TEXT;
ALTER TABLE accounts ADD COLUMN recovery_deadline TEXT;
ALTER TABLE accounts ADD COLUMN expiry_warned_at TEXT;
ALTER TABLE accounts ADD COLUMN last_lock_at TEXT;

CREATE INDEX accounts_status_id ON accounts (status, id);

CREATE TABLE password_history (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    seq           INTEGER PRIMARY KEY AUTOINCREMENT
);
CREATE INDEX password_history_account ON password_history (account_id, seq);

CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TEXT NOT NULL
);
