// Package accounts holds the account operations that the hosted screens,
// the OpenID Connect provider and the command line share: create account
// and activation (ACC-1, ACC-2), password sign-in with lockout (LOGIN-5,
// PWD-7), single sign-on sessions (SSO-2) and self-service recovery
// (REC-1 to REC-7).
//
// A map of the flows:
//
//	Register ─► validate all fields ─► hash ─► address taken? ─yes─► mailExisting
//	                                              │no
//	                                              ▼
//	            InTx{ outbox "activate" email, account (pending), link{sign-up}, audit }
//	                                              │ECONFLICT (a concurrent sign-up won)
//	                                              └──────────► mailExisting
//	mailExisting ─► InTx{ under the hourly cap? pending: new link{sign-up} + "activate" email
//	                                            other:   "account_exists" email
//	                      over it: audit mail.suppressed, send nothing }
//	Activate(secret, password) ─► count the try on the link ─► Verify(link's hash)
//	         ─wrong─► audit (5th: void the link)
//	         ─right─► InTx{ UseLink, account takes the link's sign-up, active, void other links, audit }
//	ResendActivation ─► mailExisting with the newest link's sign-up, older links voided
//	Authenticate ─► Verify (DummyVerify when unknown) ─► state checks ─► RecordLoginFailure | RecordLoginSuccess (+ rehash)
//	StartSession / Session / EndSession ─► the SSO session behind the cookie
//	StartRecovery / ResendRecovery ─► InTx{ under 4 a window? void recover links, new link (1 h), "recover" email, audit }
//	OpenRecovery (GET)   ─► check the link only: unlock (locked) or reset (any other state); disabled refused
//	CompleteRecovery (POST) ─► InTx{ UseLink, unlock | new password + ResetDone + end sessions, revoke tokens,
//	                                void every link, "password_reset_done" email; audit }
//
// Every activation link carries the sign-up that asked for it (password
// hash, names, language) and activates only with that sign-up's password,
// so a sign-up by someone else for the same address (pre-hijacking) can
// never give the account a password its owner did not type.
//
// Secrets (link secrets, session cookies) are 256 random bits in base64url;
// only their hex SHA-256 digests are stored. Every time rule reads the
// injected clock. Every email is written to the outbox in the transaction of
// the change that causes it.
package accounts
