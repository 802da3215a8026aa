// Package accounts holds the account operations that the hosted screens,
// the OpenID Connect provider and the command line share: create account
// and activation (ACC-1, ACC-2), password sign-in with lockout (LOGIN-5,
// PWD-7) and single sign-on sessions (SSO-2).
//
// A map of the flows:
//
//	Register ─► validate all fields ─► hash ─► address taken? ─yes─► "account_exists" email
//	                                              │no
//	                                              ▼
//	            InTx{ outbox "activate" email, account (pending), link, audit }
//	                                              │ECONFLICT (a concurrent sign-up won)
//	                                              └──────────► "account_exists" email
//	Activate ─► InTx{ UseLink, account active, audit }
//	Authenticate ─► Verify (DummyVerify when unknown) ─► state checks ─► RecordLoginFailure | RecordLoginSuccess (+ rehash)
//	StartSession / Session / EndSession ─► the SSO session behind the cookie
//
// Secrets (link secrets, session cookies) are 256 random bits in base64url;
// only their hex SHA-256 digests are stored. Every time rule reads the
// injected clock. Every email is written to the outbox in the transaction of
// the change that causes it.
package accounts
