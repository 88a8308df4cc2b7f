package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/admin"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/testkit"
)

// runAdmin runs an operator command against databaseURL and returns what it printed.
func runAdmin(t *testing.T, databaseURL string, args ...string) (string, error) {
	t.Helper()
	var out, logs bytes.Buffer
	env := map[string]string{"ORGQL_DATABASE_URL": databaseURL}
	err := runWith(context.Background(), args, func(k string) string { return env[k] }, &out, &logs)
	return out.String(), err
}

// The operator's commands, against the database a running server uses, on
// both stores: list and show organizations (by ID or name), make a user the
// owner in an emergency (recorded as a system event; the old owner stays as
// ADMIN; another organization is untouched), and revoke a user's sessions
// (their token is refused at once; another user's still works).
func TestAdminCommands(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			url := testkit.DatabaseURL(t, b)
			base, logs, stop := startBinary(t, url, "--dev")
			defer stop()
			suffix := strings.ToLower(strings.ReplaceAll(testkit.Unique(""), " ", ""))
			_, alice := devLogin(t, base, "alice"+suffix)
			_, bob := devLogin(t, base, "bob"+suffix)
			_, carol := devLogin(t, base, "carol"+suffix)
			if alice == "" || bob == "" || carol == "" {
				t.Fatalf("dev sign-in:\n%s", logs)
			}
			create := func(token, name string) string {
				var out struct{ CreateOrganization struct{ ID string } }
				graphql(t, base, token, `mutation($n: String!) { createOrganization(input: {name: $n}) { id } }`, map[string]any{"n": name}, &out)
				return out.CreateOrganization.ID
			}
			acmeName, otherName := testkit.Unique("Acme"), testkit.Unique("Bobs")
			acme, other := create(alice, acmeName), create(bob, otherName)

			list, err := runAdmin(t, url, "orgs", "list")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"ID", "OWNER", acme, acmeName, "alice" + suffix, other, otherName, "bob" + suffix} {
				if !strings.Contains(list, want) {
					t.Errorf("orgs list lacks %q:\n%s", want, list)
				}
			}
			for _, ref := range []string{acme, acmeName, strings.ToUpper(acmeName)} {
				show, err := runAdmin(t, url, "orgs", "show", ref)
				if err != nil || !strings.Contains(show, acme) || !strings.Contains(show, "alice"+suffix) || !strings.Contains(show, "Owner") || strings.Contains(show, "bob"+suffix) {
					t.Errorf("orgs show %s: %v\n%s", ref, err, show)
				}
			}
			if _, err := runAdmin(t, url, "orgs", "show", "no such organization"); !errors.Is(err, admin.ErrNotFound) {
				t.Errorf("orgs show of nothing: %v", err)
			}
			for _, bad := range [][]string{{"orgs", "show"}, {"orgs", "make-owner", acme}, {"orgs", "frobnicate"}, {"users"}} {
				if _, err := runAdmin(t, url, bad...); err == nil {
					t.Errorf("%v was accepted", bad)
				}
			}

			// make-owner: carol, not a member, becomes the owner.
			out, err := runAdmin(t, url, "orgs", "make-owner", acmeName, "carol"+suffix)
			if err != nil || !strings.Contains(out, "is now the owner") {
				t.Fatalf("make-owner: %v %s", err, out)
			}
			var owner struct {
				Organization struct{ Owner struct{ Login string } }
			}
			graphql(t, base, carol, `query($id: ID!) { organization(id: $id) { owner { login } } }`, map[string]any{"id": acme}, &owner)
			if owner.Organization.Owner.Login != "carol"+suffix {
				t.Fatalf("owner after make-owner: %+v", owner)
			}
			db, err := database.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			sys := tenancy.AsSystem(context.Background(), tenancy.Operator)
			ms, err := db.Client.Membership.Query().Where(membership.OrganizationID(acme)).WithUser().WithRole().All(sys)
			if err != nil {
				t.Fatal(err)
			}
			roles := map[string]string{}
			for _, m := range ms {
				roles[m.Edges.User.Login] = m.Edges.Role.Name
			}
			if len(roles) != 2 || roles["carol"+suffix] != "Owner" || roles["alice"+suffix] != "Admin" {
				t.Fatalf("memberships after make-owner: %v", roles)
			}
			ev, err := db.Client.OrganizationEvent.Query().
				Where(organizationevent.OrganizationID(acme), organizationevent.TypeEQ(organizationevent.TypeTRANSFER_OWNERSHIP)).Only(sys)
			if err != nil || ev.ActorType != organizationevent.ActorTypeSYSTEM || ev.Change["by"] != "operator command" {
				t.Fatalf("the system event: %+v, %v", ev, err)
			}
			if _, err := runAdmin(t, url, "orgs", "make-owner", acme, "carol"+suffix); err == nil {
				t.Fatal("make-owner of the owner was accepted")
			}
			var untouched struct {
				Organization struct{ Owner struct{ Login string } }
			}
			graphql(t, base, bob, `query($id: ID!) { organization(id: $id) { owner { login } } }`, map[string]any{"id": other}, &untouched)
			if untouched.Organization.Owner.Login != "bob"+suffix {
				t.Fatalf("the other organization's owner: %+v", untouched)
			}

			// revoke-sessions: alice's token is refused at once; bob's still works.
			if out, err := runAdmin(t, url, "users", "revoke-sessions", "alice"+suffix+"@dev.orgql.local"); err != nil || !strings.Contains(out, "revoked 1 sessions") {
				t.Fatalf("revoke-sessions: %v %s", err, out)
			}
			if r := graphql(t, base, alice, `{ viewer { user { login } } }`, nil, nil); len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Fatalf("a revoked session still works: %+v", r)
			}
			var me struct {
				Viewer struct{ User struct{ Login string } }
			}
			graphql(t, base, bob, `{ viewer { user { login } } }`, nil, &me)
			if me.Viewer.User.Login != "bob"+suffix {
				t.Fatalf("bob after alice's revocation: %+v", me)
			}
			if _, err := runAdmin(t, url, "users", "revoke-sessions", "nobody"+suffix); !errors.Is(err, admin.ErrNotFound) {
				t.Fatalf("revoke-sessions of nobody: %v", err)
			}
		})
	}
}

// `orgql healthcheck` (the image's HEALTHCHECK) succeeds while the server at
// --addr is ready, and fails once it is gone.
func TestHealthcheckCommand(t *testing.T) {
	base, _, stop := startBinary(t, testkit.DatabaseURL(t, testkit.SQLite))
	addr := strings.TrimPrefix(base, "http://")
	env := func(string) string { return "" }
	if err := runWith(context.Background(), []string{"healthcheck", "--addr", addr}, env, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("healthcheck of a ready server: %v", err)
	}
	_, port, _ := strings.Cut(addr, ":")
	if err := runWith(context.Background(), []string{"healthcheck", "--addr", ":" + port}, env, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("healthcheck of :%s (all interfaces): %v", port, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := runWith(context.Background(), []string{"healthcheck", "--addr", addr}, env, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Fatal("healthcheck of a stopped server succeeded")
	}
}
