-- An authorization request is bound to the browser that started it
-- (browser_digest: SHA-256 of its browser cookie), and its code is good for
-- a short time from code_issued_at.
ALTER TABLE auth_requests ADD COLUMN browser_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_requests ADD COLUMN code_issued_at TEXT;
