-- EntryKeyID schema, version 1 (SQLite).
-- Times are TEXT in UTC, fixed width (2006-01-02T15:04:05.000000Z), so
-- they compare as strings. Lists are JSON arrays in TEXT.

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL UNIQUE,
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    fax                 TEXT NOT NULL DEFAULT '',
    password_hash       TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    last_failure_locked INTEGER NOT NULL DEFAULT 0,
    locked_at           TEXT,
    lock_reason         TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    activated_at        TEXT,
    password_changed_at TEXT NOT NULL,
    last_login_at       TEXT
);

CREATE TABLE links (
    digest     TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    data       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX links_account ON links (account_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE clients (
    id                        TEXT PRIMARY KEY,
    name                      TEXT NOT NULL,
    secret_digest             TEXT NOT NULL DEFAULT '',
    public                    INTEGER NOT NULL DEFAULT 0,
    redirect_uris             TEXT NOT NULL DEFAULT '[]',
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
    backchannel_logout_uri    TEXT NOT NULL DEFAULT '',
    portal_type               TEXT NOT NULL DEFAULT '',
    signing_alg               TEXT NOT NULL DEFAULT '',
    created_at                TEXT NOT NULL
);

CREATE TABLE auth_requests (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL DEFAULT '[]',
    state          TEXT NOT NULL DEFAULT '',
    nonce          TEXT NOT NULL DEFAULT '',
    response_type  TEXT NOT NULL DEFAULT '',
    response_mode  TEXT NOT NULL DEFAULT '',
    code_challenge TEXT NOT NULL DEFAULT '',
    code_method    TEXT NOT NULL DEFAULT '',
    prompt         TEXT NOT NULL DEFAULT '[]',
    max_age        INTEGER,
    ui_locales     TEXT NOT NULL DEFAULT '[]',
    login_hint     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    account_id     TEXT NOT NULL DEFAULT '',
    session_id     TEXT NOT NULL DEFAULT '',
    auth_time      TEXT,
    done           INTEGER NOT NULL DEFAULT 0,
    code_digest    TEXT NOT NULL DEFAULT '',
    code_used_at   TEXT
);
CREATE INDEX auth_requests_code ON auth_requests (code_digest) WHERE code_digest <> '';
CREATE INDEX auth_requests_created ON auth_requests (created_at);

CREATE TABLE tokens (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    family_id       TEXT NOT NULL DEFAULT '',
    auth_request_id TEXT NOT NULL DEFAULT '',
    account_id      TEXT NOT NULL DEFAULT '',
    client_id       TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    session_id      TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT '[]',
    audience        TEXT NOT NULL DEFAULT '[]',
    auth_time       TEXT,
    amr             TEXT NOT NULL DEFAULT '[]',
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    revoked_at      TEXT
);
CREATE INDEX tokens_family ON tokens (family_id) WHERE family_id <> '';
CREATE INDEX tokens_auth_request ON tokens (auth_request_id) WHERE auth_request_id <> '';
CREATE INDEX tokens_session ON tokens (session_id) WHERE session_id <> '';
CREATE INDEX tokens_account ON tokens (account_id);
CREATE INDEX tokens_client ON tokens (client_id);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    time       TEXT NOT NULL,
    type       TEXT NOT NULL,
    account_id TEXT NOT NULL DEFAULT '',
    actor_id   TEXT NOT NULL DEFAULT '',
    client_id  TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
CREATE INDEX audit_events_type ON audit_events (type, id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL DEFAULT '',
    html_body       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
