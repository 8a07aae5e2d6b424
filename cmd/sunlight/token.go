package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
)

const tokenUsage = `Usage:
  sunlight token create --role ROLE [--community CODE] [--district NAME] [--name WHO] [--days 90]
  sunlight token list
  sunlight token revoke --id ID

Roles: PUBLIC, DISTRICT_OFFICIAL (needs --district), COMMUNITY_STAFF and SUPERVISOR
(need --community), ADMIN. The token is printed once; only its hash is stored.
`

func tokenCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, tokenUsage)
		return errors.New("token: say create, list or revoke")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	dsn := dbFlag(fs)
	role := fs.String("role", "", "role of the token")
	code := fs.String("community", "", "community code (COMMUNITY_STAFF, SUPERVISOR)")
	district := fs.String("district", "", "district (DISTRICT_OFFICIAL), e.g. 南湖新区")
	name := fs.String("name", "", "who holds the token (shown in the audit trail)")
	days := fs.Int("days", 90, "days until the token expires")
	id := fs.Int("id", 0, "token ID (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	now := time.Now()
	switch args[0] {
	case "create":
		holder := *name
		if holder == "" {
			holder = *role
		}
		tok, t, err := token.Issue(ctx, d.Client, token.New{
			Name: holder, Role: auth.Role(*role), Community: *code, District: *district,
			TTL: time.Duration(*days) * 24 * time.Hour,
		}, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "token %d for %s (%s), expires %s — shown once, keep it secret:\n", t.ID, t.Name, t.Role, t.ExpiresAt.Format(time.DateOnly))
		fmt.Fprintln(stdout, tok)
		return nil
	case "list":
		ts, err := d.Client.AccessToken.Query().All(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "active"
			switch {
			case t.RevokedAt != nil:
				state = "revoked " + t.RevokedAt.Format(time.DateOnly)
			case !now.Before(t.ExpiresAt):
				state = "expired"
			}
			scope := t.District
			if t.CommunityID != nil {
				scope = "community " + strconv.Itoa(*t.CommunityID)
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\texpires %s\t%s\n", t.ID, t.Name, t.Role, scope, t.ExpiresAt.Format(time.DateOnly), state)
		}
		return nil
	case "revoke":
		if *id == 0 {
			return errors.New("token revoke: --id is required (see sunlight token list)")
		}
		if err := token.Revoke(ctx, d.Client, *id, now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d revoked\n", *id)
		return nil
	default:
		fmt.Fprint(os.Stderr, tokenUsage)
		return fmt.Errorf("token: unknown action %q", args[0])
	}
}
