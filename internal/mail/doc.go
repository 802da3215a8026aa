// Package mail composes, queues and delivers EntryKeyID's email.
//
// A message goes through three steps, each its own piece:
//
//	Composer.Compose ─► domain.Message ─► store.EnqueueMessage   (caller, in the
//	                                       same transaction as the change it reports)
//	Worker (Run / Flush): store.ClaimMessages ─► Sender.Send ─► MarkMessageSent
//	                                                         └► MarkMessageFailed (backoff)
//	Sender: SMTPSender (a relay) or FileSender (.eml files) ─► NewInbox (/dev/mail)
//
// Templates live in templates/ as NAME.LANG.txt (first line "Subject: ...")
// and NAME.LANG.html, in every language (en, es), embedded in the binary.
// Bodies hold live link secrets, so they are kept no longer than needed:
// the outbox row loses its text and HTML once sent (MarkMessageSent), and
// FileSender's .eml files (development) are owner-only and hold the links
// until deleted.
//
// FileSender and SMTPSender build the MIME message the same way, with
// github.com/wneessen/go-mail, so the development inbox shows what a relay
// would receive.
package mail
