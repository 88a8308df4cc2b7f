package relay_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

var sys = testkit.System(context.Background())

// row is one node of a connection with the values it is ordered by.
type row struct {
	id     string
	values map[string]any // by order field; nil for NULL
}

// base is a time with no sub-microsecond part, so both stores keep it exactly.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

// seedProjects writes projects into org directly: created_at has ties.
func seedProjects(t *testing.T, e *testkit.Env, org testkit.Org, names []string, created []int) []row {
	t.Helper()
	var rows []row
	for i, name := range names {
		p, err := e.DB.Client.Project.Create().SetOrganizationID(org.ID).SetName(name).SetNameKey(name).
			SetCreatedAt(at(created[i])).SetUpdatedAt(at(100 - i)).Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row{id: p.ID, values: map[string]any{"NAME": name, "CREATED_AT": at(created[i]), "UPDATED_AT": at(100 - i)}})
	}
	return rows
}

// seedMembers adds members to org directly, with the given last activities
// (nil for none) and creation times, and returns them with org's existing
// members (its owner).
func seedMembers(t *testing.T, e *testkit.Env, org testkit.Org, activity []*int, created []int) []row {
	t.Helper()
	viewerRole, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	existing, err := e.DB.Client.Membership.Query().Where(membership.OrganizationID(org.ID)).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range existing {
		rows = append(rows, memberRow(m))
	}
	for i := range activity {
		login := "m-" + hexID()
		u, err := e.DB.Client.User.Create().SetProvider(user.ProviderDEV).SetProviderUserID(login).SetLogin(login).Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		c := e.DB.Client.Membership.Create().SetOrganizationID(org.ID).SetUserID(u.ID).SetRoleID(viewerRole.ID).SetCreatedAt(at(created[i]))
		if activity[i] != nil {
			c.SetLastActivityAt(at(*activity[i]))
		}
		m, err := c.Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, memberRow(m))
	}
	return rows
}

func memberRow(m *ent.Membership) row {
	r := row{id: m.ID, values: map[string]any{"CREATED_AT": m.CreatedAt, "LAST_ACTIVITY_AT": nil}}
	if m.LastActivityAt != nil {
		r.values["LAST_ACTIVITY_AT"] = *m.LastActivityAt
	}
	return r
}

// seedInvitations writes pending invitations into org directly, invited by inviter.
func seedInvitations(t *testing.T, e *testkit.Env, org testkit.Org, inviter *testkit.Client, created, expires []int) []row {
	t.Helper()
	viewerRole, err := e.DB.Client.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.DB.Client.User.Query().Where(user.Login(inviter.Login)).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for i := range created {
		email := fmt.Sprintf("guest%d-%s@acme.dev", (i*5)%len(created), hexID())
		inv, err := e.DB.Client.Invitation.Create().SetOrganizationID(org.ID).SetEmail(email).SetRoleID(viewerRole.ID).
			SetInviterID(u.ID).SetTokenHash(hexID() + hexID()).SetCreatedAt(at(created[i])).
			SetExpiresAt(time.Now().Add(time.Duration(expires[i]) * time.Hour).Truncate(time.Second)).Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row{id: inv.ID, values: map[string]any{"CREATED_AT": inv.CreatedAt, "EMAIL": email, "EXPIRES_AT": inv.ExpiresAt}})
	}
	return rows
}

func hexID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ptr(i int) *int { return &i }

func dbOrg(t *testing.T, e *testkit.Env, id string) *ent.Organization {
	t.Helper()
	o, err := e.DB.Client.Organization.Get(sys, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
