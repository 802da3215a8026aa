// Package i18n holds EntryKeyID's message catalogs for the hosted screens,
// in English and Spanish, and chooses a supported language for a request.
//
// Why a small embedded JSON catalog and not github.com/nicksnyder/go-i18n:
// the screens need flat keyed strings with a few named placeholders and no
// plural forms, in exactly two languages that must stay in step. Two flat
// JSON files are easy to review side by side, need no new module (language
// matching uses golang.org/x/text/language, already a dependency), and
// Load can refuse, at start, a catalog where a key exists in one language
// and not the other, or where a message is empty. Emails have their own
// templates in package mail.
//
// A message may hold placeholders written {name}; Catalog.T replaces them
// with the values it is given. Values are plain text: html/template
// escapes the result where it is printed.
package i18n
