package orgs_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const plansQuery = `{ plans { code name pricePerMonthCents currency limits { members projects clusters auditLogRetentionDays } } }`

type planOut struct {
	Code               billing.PlanCode
	Name               string
	PricePerMonthCents *int
	Currency           string
	Limits             billing.Limits
}

func wantPlans(c billing.Catalog) []planOut {
	var out []planOut
	for _, p := range c {
		out = append(out, planOut{p.Code, p.Name, p.PricePerMonthCents, p.Currency, p.Limits})
	}
	return out
}

func TestPlansCatalog(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		var out struct{ Plans []planOut }
		// The catalog is public: the sign-up page shows it before anyone signs in.
		e.Anonymous().Do(t, plansQuery, nil).OK(t, &out)
		if !reflect.DeepEqual(out.Plans, wantPlans(billing.DefaultCatalog())) {
			t.Fatalf("plans: %+v", out.Plans)
		}
	})
}

// withCatalog returns an Env like e whose server uses the catalog in a JSON file.
func withCatalog(t *testing.T, e *testkit.Env, json string) *testkit.Env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	catalog, err := billing.LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(e.Config, e.DB, server.Options{Plans: catalog, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: e.Keys})
	if err != nil {
		t.Fatal(err)
	}
	return &testkit.Env{Backend: e.Backend, DB: e.DB, Server: srv, Config: e.Config, Mailer: e.Mailer}
}

const smallCatalog = `[
	{"code": "FREE", "name": "Hobby", "pricePerMonthCents": 0, "currency": "EUR",
	 "limits": {"members": 5, "projects": 1, "clusters": 0, "auditLogRetentionDays": 3}},
	{"code": "TEAM", "name": "Crew", "pricePerMonthCents": 990, "currency": "EUR",
	 "limits": {"members": 5, "projects": 2, "clusters": 1, "auditLogRetentionDays": 14}},
	{"code": "ENTERPRISE", "name": "Fleet", "currency": "EUR", "limits": {"auditLogRetentionDays": 400}}
]`

func TestPlansCatalogReplacedByConfiguration(t *testing.T) {
	testkit.Run(t, func(t *testing.T, base *testkit.Env) {
		e := withCatalog(t, base, smallCatalog)
		var out struct{ Plans []planOut }
		e.Anonymous().Do(t, plansQuery, nil).OK(t, &out)
		if len(out.Plans) != 3 || out.Plans[0].Name != "Hobby" || *out.Plans[0].Limits.Projects != 1 || out.Plans[2].PricePerMonthCents != nil {
			t.Fatalf("plans: %+v", out.Plans)
		}
		// The configured limits are the ones enforced: FREE allows one project here.
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		const createProject = `mutation($org: ID!, $name: String!) { createProject(organizationID: $org, input: {name: $name}) { id } }`
		alice.Do(t, createProject, map[string]any{"org": org.ID, "name": "one"}).OK(t, nil)
		err := alice.Do(t, createProject, map[string]any{"org": org.ID, "name": "two"}).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "projects" {
			t.Fatalf("extensions: %v", err.Extensions)
		}
		var plan struct {
			Organization struct{ Plan struct{ Name string } }
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { plan { name } } }`, map[string]any{"id": org.ID}).OK(t, &plan)
		if plan.Organization.Plan.Name != "Hobby" {
			t.Fatalf("organization.plan: %+v", plan.Organization.Plan)
		}
	})
}

const changePlan = `mutation($org: ID!, $plan: PlanCode!) { changePlan(organizationID: $org, plan: $plan) { id plan { code } } }`

func planOf(t *testing.T, e *testkit.Env, orgID string) billing.PlanCode {
	t.Helper()
	return dbOrg(t, e, orgID).Plan
}

func planChanges(t *testing.T, e *testkit.Env, orgID string) int {
	t.Helper()
	n := 0
	for _, ev := range orgEvents(t, e, orgID) {
		if ev.Type == organizationevent.TypePLAN_CHANGE {
			n++
		}
	}
	return n
}

func TestChangePlanPermissions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		other := alice.CreateOrg(t)
		allowed := map[rbac.Kind]billing.PlanCode{rbac.Admin: billing.Team, rbac.Billing: billing.Enterprise}
		for _, kind := range []rbac.Kind{rbac.Admin, rbac.DevOps, rbac.Billing, rbac.Viewer} {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			before := planOf(t, e, org.ID)
			target, ok := allowed[kind]
			if !ok {
				m.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "ENTERPRISE"}).Err(t, "FORBIDDEN")
				if planOf(t, e, org.ID) != before {
					t.Fatalf("%s changed the plan", kind)
				}
				continue
			}
			var out struct {
				ChangePlan struct {
					Plan struct{ Code billing.PlanCode }
				}
			}
			m.Do(t, changePlan, map[string]any{"org": org.ID, "plan": target}).OK(t, &out)
			if out.ChangePlan.Plan.Code != target || planOf(t, e, org.ID) != target {
				t.Fatalf("%s: plan %s, want %s", kind, out.ChangePlan.Plan.Code, target)
			}
		}
		alice.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
		if planOf(t, e, org.ID) != billing.Team || planOf(t, e, other.ID) != billing.Free {
			t.Fatalf("plans: %s, other %s", planOf(t, e, org.ID), planOf(t, e, other.ID))
		}
		if n := planChanges(t, e, org.ID); n != 3 {
			t.Fatalf("want 3 PLAN_CHANGE events, got %d", n)
		}

		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)
		bob.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "ENTERPRISE"}).Err(t, "NOT_FOUND")
		if planOf(t, e, org.ID) != billing.Team {
			t.Fatalf("a non-member changed the plan")
		}
	})
}

func TestChangePlanRefusedOverALimitOfTheTargetPlan(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		var created struct{ CreateOrganization struct{ ID string } }
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": testkit.Unique("Team"), "plan": "TEAM"}}).OK(t, &created)
		org := testkit.Org{ID: created.CreateOrganization.ID}
		for i := range 4 {
			alice.Do(t, `mutation($org: ID!, $name: String!) { createProject(organizationID: $org, input: {name: $name}) { id } }`,
				map[string]any{"org": org.ID, "name": fmt.Sprint("p", i)}).OK(t, nil)
		}
		err := alice.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "FREE"}).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "projects" {
			t.Fatalf("extensions: %v", err.Extensions)
		}
		if planOf(t, e, org.ID) != billing.Team || planChanges(t, e, org.ID) != 0 {
			t.Fatalf("the refused change was written")
		}

		// Members count too: a second TEAM organization with 4 members cannot go FREE (3).
		alice.Do(t, createOrg, map[string]any{"input": map[string]any{"name": testkit.Unique("Team"), "plan": "TEAM"}}).OK(t, &created)
		crowded := testkit.Org{ID: created.CreateOrganization.ID}
		for range 3 {
			e.AddMember(t, crowded, e.SignIn(t, "m"), rbac.Viewer)
		}
		err = alice.Do(t, changePlan, map[string]any{"org": crowded.ID, "plan": "FREE"}).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "members" {
			t.Fatalf("extensions: %v", err.Extensions)
		}
		// Within the limits, the move is allowed.
		alice.Do(t, changePlan, map[string]any{"org": org.ID, "plan": "ENTERPRISE"}).OK(t, nil)
		if planOf(t, e, crowded.ID) != billing.Team || planOf(t, e, org.ID) != billing.Enterprise {
			t.Fatalf("plans after: %s, %s", planOf(t, e, crowded.ID), planOf(t, e, org.ID))
		}
	})
}
