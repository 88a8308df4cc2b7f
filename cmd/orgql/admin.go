package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orgql/orgql/internal/admin"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/members"
)

// adminCommands are the operator's commands that work on the database
// without the API (README, "Operating orgql"): their words, and how many
// positional arguments follow them, before the flags.
var adminCommands = []struct {
	words []string
	args  int
	usage string
	run   func(ctx context.Context, db *database.DB, args []string, stdout io.Writer, logger *slog.Logger) error
}{
	{[]string{"orgs", "list"}, 0, "orgql orgs list", listOrgs},
	{[]string{"orgs", "show"}, 1, "orgql orgs show <organization ID or name>", showOrg},
	{[]string{"orgs", "make-owner"}, 2, "orgql orgs make-owner <organization ID or name> <user ID, login or e-mail>", makeOwner},
	{[]string{"users", "revoke-sessions"}, 1, "orgql users revoke-sessions <user ID, login or e-mail>", revokeSessions},
}

// adminCommand finds the admin command args start with; it returns the
// command's index (-1 for none), its positional arguments and the flags.
func adminCommand(args []string) (int, []string, []string, error) {
	for i, c := range adminCommands {
		if len(args) < len(c.words) || strings.Join(args[:len(c.words)], " ") != strings.Join(c.words, " ") {
			continue
		}
		rest := args[len(c.words):]
		if len(rest) < c.args || (c.args > 0 && strings.HasPrefix(rest[c.args-1], "-")) {
			return i, nil, nil, fmt.Errorf("usage: %s [flags]", c.usage)
		}
		return i, rest[:c.args], rest[c.args:], nil
	}
	if len(args) > 0 && (args[0] == "orgs" || args[0] == "users") {
		var usages []string
		for _, c := range adminCommands {
			usages = append(usages, "  "+c.usage)
		}
		return -1, nil, nil, fmt.Errorf("unknown command; the %s commands are:\n%s", args[0], strings.Join(usages, "\n"))
	}
	return -1, nil, args, nil
}

func listOrgs(ctx context.Context, db *database.DB, _ []string, stdout io.Writer, _ *slog.Logger) error {
	orgs, err := admin.Organizations(ctx, db.Client)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPLAN\tOWNER\tMEMBERS\tCREATED")
	for _, o := range orgs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", o.ID, o.Name, o.Plan, o.Owner, o.Members, o.CreatedAt.UTC().Format(time.RFC3339))
	}
	return w.Flush()
}

func showOrg(ctx context.Context, db *database.DB, args []string, stdout io.Writer, _ *slog.Logger) error {
	d, err := admin.Show(ctx, db.Client, args[0])
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"ID", d.ID}, {"Name", d.Name}, {"Plan", d.Plan}, {"Owner", d.Owner},
		{"Description", d.Description}, {"Website", d.WebsiteURL},
		{"Created", d.CreatedAt.UTC().Format(time.RFC3339)},
		{"Projects", fmt.Sprint(d.Projects)}, {"Pending invitations", fmt.Sprint(d.Pending)},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(w, "Members (%d):\n", d.Members)
	for _, m := range d.MemberList {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", m.UserID, m.Login, m.Email, m.Role)
	}
	return w.Flush()
}

func makeOwner(ctx context.Context, db *database.DB, args []string, stdout io.Writer, logger *slog.Logger) error {
	org, err := admin.FindOrganization(ctx, db.Client, args[0])
	if err != nil {
		return err
	}
	u, err := admin.FindUser(ctx, db.Client, args[1])
	if err != nil {
		return err
	}
	svc := &members.Service{Client: db.Client, Plans: billing.DefaultCatalog()}
	if _, err := svc.MakeOwner(ctx, org.ID, u.ID); err != nil {
		return err
	}
	logger.Warn("organization owner changed by an operator command (recorded as a system event)", "organization", org.ID, "owner", u.ID)
	_, err = fmt.Fprintf(stdout, "%s (%s) is now the owner of %s (%s); the previous owner is ADMIN.\n", u.Login, u.ID, org.Name, org.ID)
	return err
}

func revokeSessions(ctx context.Context, db *database.DB, args []string, stdout io.Writer, logger *slog.Logger) error {
	u, err := admin.FindUser(ctx, db.Client, args[0])
	if err != nil {
		return err
	}
	n, err := auth.RevokeSessions(ctx, db.Client, u.ID)
	if err != nil {
		return err
	}
	logger.Info("sessions revoked by an operator command", "user", u.ID, "sessions", n)
	_, err = fmt.Fprintf(stdout, "revoked %d sessions of %s (%s)\n", n, u.Login, u.ID)
	return err
}
