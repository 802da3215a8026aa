// Package domain holds EntryKeyID's domain types, error codes and the
// interfaces that the rest of the program implements: Store, Mailer and
// Clock. It imports only the standard library.
//
// A map of the program:
//
//	cli ──► config, sqlstore, mail, oidc, web, portal
//	web ──► accounts, oidc, mail (templates), domain
//	oidc ──► accounts, domain
//	accounts ──► password, domain
//	sqlstore ──► domain
package domain
