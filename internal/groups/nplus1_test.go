package groups_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

const groupsPage = `query($org: ID!) { organization(id: $org) {
	labelsGroups(first: 50) { totalCount edges { node {
		id name labels { key value propagateToCloudProvider } createdAt creator { login } clusters { id name }
	} } }
	annotationsGroups(first: 50) { totalCount edges { node {
		id name annotations { key value } scopes createdAt creator { login }
	} } }
} }`

// withGroups creates an organization owned by owner with n labels groups
// and n annotations groups, made in turn by owner and a DevOps member (so
// there are two creators to load), and two clusters using every labels group.
func withGroups(t *testing.T, e *testkit.Env, owner *testkit.Client, n int) testkit.Org {
	t.Helper()
	org := owner.CreateOrg(t)
	owner.Do(t, changePlanDoc, map[string]any{"org": org.ID}).OK(t, nil)
	devops := e.SignIn(t, "devops")
	e.AddMember(t, org, devops, rbac.DevOps)
	var ids []string
	for i := range n {
		by := owner
		if i%2 == 1 {
			by = devops
		}
		name := fmt.Sprintf("group %d", i)
		ids = append(ids, createLabelsGroup(t, by, org, labelsInput(name, lbl("a", "1", true), lbl("b", "2", false))).ID)
		createAnnotationsGroup(t, by, org, annotationsInput(name, []string{"PODS", "JOBS"}, ann("a", "1")))
	}
	createCluster(t, owner, org, "one", ids...)
	createCluster(t, devops, org, "two", ids...)
	return org
}

func countGroupStatements(t *testing.T, c *testkit.Client, org testkit.Org, n int) int {
	t.Helper()
	var stmts testkit.Statements
	var out struct {
		Organization struct {
			LabelsGroups struct {
				Edges []struct{ Node labelsGroup }
			}
			AnnotationsGroups struct {
				Edges []struct{ Node annotationsGroup }
			}
		}
	}
	c.WithStatements(&stmts).Do(t, groupsPage, map[string]any{"org": org.ID}).OK(t, &out)
	lgs, ags := out.Organization.LabelsGroups.Edges, out.Organization.AnnotationsGroups.Edges
	if len(lgs) != n || len(ags) != n {
		t.Fatalf("listed %d labels groups and %d annotations groups, want %d", len(lgs), len(ags), n)
	}
	for _, e := range lgs {
		if e.Node.Creator == nil || e.Node.Creator.Login == "" || len(e.Node.Clusters) != 2 || len(e.Node.Labels) != 2 {
			t.Fatalf("incomplete labels group: %+v", e.Node)
		}
	}
	for _, e := range ags {
		if e.Node.Creator == nil || e.Node.Creator.Login == "" || len(e.Node.Annotations) != 1 || len(e.Node.Scopes) != 2 {
			t.Fatalf("incomplete annotations group: %+v", e.Node)
		}
	}
	list := stmts.List()
	for i, s := range list {
		if len(s) > 300 {
			list[i] = s[:300] + "..."
		}
	}
	t.Logf("%d groups of each kind: %d statements:\n  %s", n, len(list), strings.Join(list, "\n  "))
	return stmts.Count()
}

// The statements for the first page of both connections, with each group's
// creator and each labels group's clusters, do not grow with the number of groups.
func TestGroupsStatementsDoNotGrowWithTheList(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		alice.Do(t, `{ viewer { user { id } } }`, nil).OK(t, nil) // the session's activity is written now, not below
		one := countGroupStatements(t, alice, withGroups(t, e, alice, 1), 1)
		ten := countGroupStatements(t, alice, withGroups(t, e, alice, 10), 10)
		if one != ten {
			t.Fatalf("1 group of each kind takes %d statements, 10 take %d", one, ten)
		}
	})
}

// Writes run a fixed, small number of statements, authentication included.
// The bounds are today's counts: a change that adds a statement to a write
// must say why here. Each write's event is numbered at commit (two
// statements, and on PostgreSQL the notification: internal/events).
func TestGroupWritesRunFewStatements(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, `{ viewer { user { id } } }`, nil).OK(t, nil) // the session's activity is written now, not below
		run := func(name, doc string, vars map[string]any, max int) map[string]map[string]any {
			t.Helper()
			var s testkit.Statements
			var out map[string]map[string]any
			resp := alice.WithStatements(&s).Do(t, doc, vars)
			resp.OK(t, nil)
			_ = json.Unmarshal(resp.Data, &out)
			t.Logf("%s: %d statements", name, s.Count())
			if s.Count() > max {
				t.Errorf("%s ran %d statements, want at most %d:\n  %s", name, s.Count(), max, strings.Join(s.List(), "\n  "))
			}
			return out
		}
		lg := run("createLabelsGroup", `mutation($org: ID!, $input: LabelsGroupInput!) { createLabelsGroup(organizationID: $org, input: $input) { id } }`,
			map[string]any{"org": org.ID, "input": labelsInput("one", lbl("a", "1", false))}, 8)["createLabelsGroup"]["id"]
		run("updateLabelsGroup", `mutation($id: ID!, $input: LabelsGroupInput!) { updateLabelsGroup(id: $id, input: $input) { id } }`,
			map[string]any{"id": lg, "input": labelsInput("two", lbl("a", "2", false))}, 10)
		run("createCluster with a labels group", `mutation($org: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $org, input: $input) { id } }`,
			map[string]any{"org": org.ID, "input": map[string]any{"name": "c", "cloudProvider": "AWS", "region": "x", "labelsGroupIDs": []any{lg}}}, 12)
		ag := run("createAnnotationsGroup", `mutation($org: ID!, $input: AnnotationsGroupInput!) { createAnnotationsGroup(organizationID: $org, input: $input) { id } }`,
			map[string]any{"org": org.ID, "input": annotationsInput("one", []string{"PODS"}, ann("a", "1"))}, 8)["createAnnotationsGroup"]["id"]
		run("deleteAnnotationsGroup", `mutation($id: ID!) { deleteAnnotationsGroup(id: $id) }`, map[string]any{"id": ag}, 9)
	})
}
