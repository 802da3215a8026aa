package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/config"
	"github.com/entrykeyid/entrykeyid/internal/domain"
	"github.com/entrykeyid/entrykeyid/internal/oidc"
)

const clientUsage = `Usage: entrykeyid client <add|list|remove> [flags]

  add     register a portal; a confidential client's secret is printed once
  list    list the registered portals
  remove  remove a portal and every token issued to it

They use the same database as serve: SQLite in the folder given by --data-dir
(default ./entrykeyid-data), or PostgreSQL at the URL given by --database.
They can run while serve is running.

Run entrykeyid client add -h (or list -h, remove -h) for their flags.`

func runClient(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, clientUsage)
		return usageErrorf("client: add, list or remove?")
	}
	switch args[0] {
	case "add":
		return runClientAdd(ctx, e, args[1:])
	case "list":
		return runClientList(ctx, e, args[1:])
	case "remove":
		return runClientRemove(ctx, e, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stdout, clientUsage)
		return nil
	}
	fmt.Fprintln(e.stderr, clientUsage)
	return usageErrorf("client: unknown subcommand %q", args[0])
}

// clientAddResult is what `client add --json` prints.
type clientAddResult struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
}

func runClientAdd(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "client add", "client add --id ID --name NAME --redirect-uri URI [flags]",
		"Registers a portal as an OpenID Connect client. A confidential client's secret\n"+
			"(256 random bits) is printed once and stored only as a SHA-256 digest.\n"+
			"Redirect URIs are matched exactly: https, or http on 127.0.0.1, [::1] or localhost;\n"+
			"no wildcards, fragments or user info.")
	flags := bindStorage(fs, &cfg)
	var (
		c       domain.Client
		asJSON  bool
		redir   listFlag
		postOut listFlag
	)
	fs.StringVar(&c.ID, "id", "", "client id: lower-case letters, digits, '.', '_' or '-' (required)")
	fs.StringVar(&c.Name, "name", "", "name shown to people, at most 100 characters (required)")
	fs.Var(&redir, "redirect-uri", "exact redirect URI (required; repeat for several)")
	fs.Var(&postOut, "post-logout-redirect-uri", "exact URI to return to after sign-out (repeatable)")
	fs.StringVar(&c.BackchannelLogoutURI, "backchannel-logout-uri", "", "URI that receives back-channel logout tokens")
	fs.BoolVar(&c.Public, "public", false, "public client (no secret; PKCE required)")
	fs.StringVar(&c.PortalType, "portal-type", domain.PortalMember, "portal type: "+strings.Join(domain.PortalTypes, ", "))
	fs.BoolVar(&asJSON, "json", false, `print {"client_id":...,"client_secret":...} as JSON`)
	if err := flags.load(args, e.getenv); err != nil {
		return err
	}
	c.RedirectURIs, c.PostLogoutRedirectURIs = redir, postOut
	if err := validateClient(&c); err != nil {
		return &UsageError{Err: err}
	}

	db, err := openStore(ctx, cfg, checkSchema, newLogger(e.stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	res := clientAddResult{ClientID: c.ID}
	if !c.Public {
		res.ClientSecret = oidc.NewClientSecret()
		c.SecretDigest = oidc.HashSecret(res.ClientSecret)
	}
	c.CreatedAt = time.Now().UTC()
	if err := createClient(ctx, db, &c, "command line"); err != nil {
		if domain.IsConflict(err) {
			return fmt.Errorf("a client with id %q (or one differing only in letter case) exists already; "+
				"remove it first or choose another id", c.ID)
		}
		return err
	}

	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "Registered client %q (%s portal).\nclient_id:     %s\n", c.Name, c.PortalType, c.ID)
	if res.ClientSecret != "" {
		fmt.Fprintf(e.stdout, "client_secret: %s\nThe secret is shown only this once; only its digest is stored.\n", res.ClientSecret)
	} else {
		fmt.Fprintln(e.stdout, "Public client: no secret; it must use PKCE.")
	}
	return nil
}

// createClient stores c and its audit event in one transaction. An id
// that differs only in letter case from an existing one (registered before
// ids were lower case only) is a conflict too: portals and people would
// take one for the other.
func createClient(ctx context.Context, store domain.Store, c *domain.Client, by string) error {
	return store.InTx(ctx, func(tx domain.Store) error {
		existing, err := tx.ListClients(ctx)
		if err != nil {
			return err
		}
		for _, other := range existing {
			if other.ID != c.ID && strings.EqualFold(other.ID, c.ID) {
				return domain.Errorf(domain.ECONFLICT, "client id %q differs only in letter case from the existing %q", c.ID, other.ID)
			}
		}
		if err := tx.CreateClient(ctx, c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &domain.AuditEvent{
			Time: c.CreatedAt, Type: domain.AuditClientCreate, ClientID: c.ID,
			Detail: fmt.Sprintf("portal_type=%s public=%t by %s", c.PortalType, c.Public, by),
		})
	})
}

// clientView is one client as `client list --json` prints it; never the
// secret digest.
type clientView struct {
	ClientID               string    `json:"client_id"`
	Name                   string    `json:"name"`
	PortalType             string    `json:"portal_type"`
	Public                 bool      `json:"public"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	BackchannelLogoutURI   string    `json:"backchannel_logout_uri,omitempty"`
	CreatedAt              time.Time `json:"created_at"`
}

func runClientList(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "client list", "client list [--json]", "Lists the registered portals.")
	flags := bindStorage(fs, &cfg)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := flags.load(args, e.getenv); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, checkSchema, newLogger(e.stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	clients, err := db.ListClients(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		views := make([]clientView, 0, len(clients))
		for _, c := range clients {
			views = append(views, clientView{c.ID, c.Name, c.PortalType, c.Public, nonNil(c.RedirectURIs),
				nonNil(c.PostLogoutRedirectURIs), c.BackchannelLogoutURI, c.CreatedAt})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(views)
	}
	rows := [][]string{{"ID", "NAME", "TYPE", "KIND", "CREATED", "REDIRECT URIS"}}
	for _, c := range clients {
		kind := "confidential"
		if c.Public {
			kind = "public"
		}
		rows = append(rows, []string{c.ID, c.Name, c.PortalType, kind,
			c.CreatedAt.Format(time.DateOnly), strings.Join(c.RedirectURIs, " ")})
	}
	return writeTable(e.stdout, rows)
}

func runClientRemove(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "client remove", "client remove --id ID", "Removes a portal and every token issued to it.")
	flags := bindStorage(fs, &cfg)
	id := fs.String("id", "", "client id (required)")
	if err := flags.load(args, e.getenv); err != nil {
		return err
	}
	if *id == "" {
		return usageErrorf("client remove: --id is required")
	}
	db, err := openStore(ctx, cfg, checkSchema, newLogger(e.stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := removeClient(ctx, db, *id, time.Now().UTC()); err != nil {
		if domain.IsNotFound(err) {
			return fmt.Errorf("no client with id %q", *id)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "Removed client %q.\n", *id)
	return nil
}

// removeClient deletes the client and audits it in one transaction.
func removeClient(ctx context.Context, store domain.Store, id string, now time.Time) error {
	return store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.DeleteClient(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &domain.AuditEvent{Time: now, Type: domain.AuditClientRemove, ClientID: id, Detail: "by command line"})
	})
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

var _ flag.Value = (*listFlag)(nil)

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
