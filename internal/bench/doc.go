// Package bench is `entrykeyid bench`: a load generator that drives an
// EntryKeyID server over HTTP with concurrent virtual users and reports
// throughput and latency per scenario (issue 2, item 12).
//
// A map of one run:
//
//	Run ──► target: start a server in-process on a free loopback port,
//	        or use --target
//	    ──► seed (seed.go): a confidential client, a second "portal"
//	        client and one active account per virtual user, written
//	        through the store with password.Hasher hashes
//	    ──► raw rates (raw.go): argon2id verifications/s and ID-token
//	        signatures/s on every core, the yardsticks for (a) and (b)
//	    ──► scenarios (scenario.go, flow.go): for each of a..f every
//	        virtual user prepares (untimed), runs through the warm-up,
//	        then records each operation's latency until the end
//	    ──► report (report.go): a table or JSON, with resident memory
//
// After seeding, the server is driven only over HTTP: the generator
// never calls the server's packages on the measured path.
package bench
