-- Plain indexes for the lookups that run on every code exchange and every
-- revocation. The partial indexes of version 1 ("WHERE x <> ''") could not
-- serve "WHERE x = ?": SQLite (and PostgreSQL's generic plans) use a partial
-- index only when the query's WHERE implies the index's, so those queries
-- scanned the whole table. Empty values are indexed too; they cost little.
DROP INDEX auth_requests_code;
CREATE INDEX auth_requests_code ON auth_requests (code_digest);

DROP INDEX tokens_family;
CREATE INDEX tokens_family ON tokens (family_id);

DROP INDEX tokens_auth_request;
CREATE INDEX tokens_auth_request ON tokens (auth_request_id);

DROP INDEX tokens_session;
CREATE INDEX tokens_session ON tokens (session_id);
