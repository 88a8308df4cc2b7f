package groups_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestLabelsGroupLifecycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)

		g := createLabelsGroup(t, alice, org, labelsInput("Team labels",
			lbl("example.com/team", "payments", true), lbl("tier", "", false)))
		want := []label{{"example.com/team", "payments", true}, {"tier", "", false}}
		if g.Name != "Team labels" || !reflect.DeepEqual(g.Labels, want) || g.Creator == nil || g.Creator.Login != alice.Login ||
			len(g.Clusters) != 0 || g.Clusters == nil || !strings.HasPrefix(g.ID, "lbg_") {
			t.Fatalf("created %+v", g)
		}

		// Read back by node(id:) and through the organization's connection.
		var node struct{ Node labelsGroup }
		alice.Do(t, nodeDoc, map[string]any{"id": g.ID}).OK(t, &node)
		if !reflect.DeepEqual(node.Node.stored(), g.stored()) {
			t.Fatalf("node %+v, want %+v", node.Node, g)
		}
		if lgs, _ := lists(t, alice, org); len(lgs) != 1 || !reflect.DeepEqual(lgs[0].stored(), g.stored()) {
			t.Fatalf("labelsGroups %+v", lgs)
		}

		// Names are unique per organization, as people read them.
		err := alice.Do(t, createLabelsGroupDoc, map[string]any{"org": org.ID, "input": labelsInput("TEAM LABELS", lbl("a", "b", false))}).Err(t, "CONFLICT")
		if err.Field() != "input.name" {
			t.Fatalf("name taken: field %q", err.Field())
		}

		// An update replaces the whole definition.
		var up struct{ UpdateLabelsGroup labelsGroup }
		alice.Do(t, updateLabelsGroupDoc, map[string]any{"id": g.ID, "input": labelsInput("Team", lbl("owner", "alice", false))}).OK(t, &up)
		if got := up.UpdateLabelsGroup; got.Name != "Team" || !reflect.DeepEqual(got.Labels, []label{{"owner", "alice", false}}) || got.stored().CreatedAt != g.stored().CreatedAt || got.Creator.Login != alice.Login {
			t.Fatalf("updated %+v", got)
		}
		// The same definition again changes nothing and records nothing.
		alice.Do(t, updateLabelsGroupDoc, map[string]any{"id": g.ID, "input": labelsInput("Team", lbl("owner", "alice", false))}).OK(t, nil)

		checkRoles(t, e, org, g.ID, roleDocs{
			create: createLabelsGroupDoc, update: updateLabelsGroupDoc, delete: deleteLabelsGroupDoc,
			input: func(name string) map[string]any { return labelsInput(name, lbl("k", "v", false)) },
		})
		checkOutsider(t, e, org, g.ID, roleDocs{
			create: createLabelsGroupDoc, update: updateLabelsGroupDoc, delete: deleteLabelsGroupDoc,
			input: func(name string) map[string]any { return labelsInput(name, lbl("k", "v", false)) },
		})

		var del struct{ DeleteLabelsGroup string }
		alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g.ID}).OK(t, &del)
		if del.DeleteLabelsGroup != g.ID {
			t.Fatalf("deleteLabelsGroup = %q", del.DeleteLabelsGroup)
		}
		alice.Do(t, nodeDoc, map[string]any{"id": g.ID}).Err(t, "NOT_FOUND")
		alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g.ID}).Err(t, "NOT_FOUND")

		if got, want := events(t, e, org, g.ID), []string{"LABELS_GROUP CREATE", "LABELS_GROUP UPDATE", "LABELS_GROUP DELETE"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		changes := eventChanges(t, e, org, g.ID)
		if !strings.Contains(changes[0], `"labels":[{"key":"example.com/team","propagateToCloudProvider":true,"value":"payments"}`) ||
			!strings.Contains(changes[1], `"name":{"from":"Team labels","to":"Team"}`) || !strings.Contains(changes[1], `"labels":{"from":[`) {
			t.Fatalf("event changes %v", changes)
		}
	})
}

func TestAnnotationsGroupLifecycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)

		g := createAnnotationsGroup(t, alice, org, annotationsInput("Monitoring", []string{"DEPLOYMENTS", "CRON_JOBS"},
			ann("prometheus.io/scrape", "true"), ann("example.com/config", "{\"a\": [1, 2]}\nline two"), ann("note", "")))
		want := []annotation{{"prometheus.io/scrape", "true"}, {"example.com/config", "{\"a\": [1, 2]}\nline two"}, {"note", ""}}
		if g.Name != "Monitoring" || !reflect.DeepEqual(g.Annotations, want) || !slices.Equal(g.Scopes, []string{"DEPLOYMENTS", "CRON_JOBS"}) ||
			g.Creator == nil || g.Creator.Login != alice.Login || !strings.HasPrefix(g.ID, "ang_") {
			t.Fatalf("created %+v", g)
		}
		var node struct{ Node annotationsGroup }
		alice.Do(t, nodeDoc, map[string]any{"id": g.ID}).OK(t, &node)
		if !reflect.DeepEqual(node.Node.stored(), g.stored()) {
			t.Fatalf("node %+v, want %+v", node.Node, g)
		}
		if _, ags := lists(t, alice, org); len(ags) != 1 || !reflect.DeepEqual(ags[0].stored(), g.stored()) {
			t.Fatalf("annotationsGroups %+v", ags)
		}
		alice.Do(t, createAnnotationsGroupDoc, map[string]any{"org": org.ID, "input": annotationsInput("monitoring", []string{"PODS"}, ann("a", "b"))}).Err(t, "CONFLICT")

		var up struct{ UpdateAnnotationsGroup annotationsGroup }
		alice.Do(t, updateAnnotationsGroupDoc, map[string]any{"id": g.ID, "input": annotationsInput("Monitoring", []string{"PODS"}, ann("note", "x"))}).OK(t, &up)
		if got := up.UpdateAnnotationsGroup; !reflect.DeepEqual(got.Annotations, []annotation{{"note", "x"}}) || !slices.Equal(got.Scopes, []string{"PODS"}) {
			t.Fatalf("updated %+v", got)
		}

		docs := roleDocs{
			create: createAnnotationsGroupDoc, update: updateAnnotationsGroupDoc, delete: deleteAnnotationsGroupDoc,
			input: func(name string) map[string]any { return annotationsInput(name, []string{"SERVICES"}, ann("k", "v")) },
		}
		checkRoles(t, e, org, g.ID, docs)
		checkOutsider(t, e, org, g.ID, docs)

		var del struct{ DeleteAnnotationsGroup string }
		alice.Do(t, deleteAnnotationsGroupDoc, map[string]any{"id": g.ID}).OK(t, &del)
		if del.DeleteAnnotationsGroup != g.ID {
			t.Fatalf("deleteAnnotationsGroup = %q", del.DeleteAnnotationsGroup)
		}
		alice.Do(t, nodeDoc, map[string]any{"id": g.ID}).Err(t, "NOT_FOUND")
		if got, want := events(t, e, org, g.ID), []string{"ANNOTATIONS_GROUP CREATE", "ANNOTATIONS_GROUP UPDATE", "ANNOTATIONS_GROUP DELETE"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

// roleDocs are the mutations of one kind of group.
type roleDocs struct {
	create, update, delete string
	input                  func(name string) map[string]any
}

// checkRoles proves the permission table's line for groups: OWNER, ADMIN and
// DEVOPS (MANAGE_SETTINGS) write; BILLING and VIEWER read the group and the
// lists, and get FORBIDDEN on every write, which changes nothing.
func checkRoles(t *testing.T, e *testkit.Env, org testkit.Org, groupID string, docs roleDocs) {
	t.Helper()
	for _, kind := range []rbac.Kind{rbac.Admin, rbac.DevOps} {
		m := e.SignIn(t, "writer")
		e.AddMember(t, org, m, kind)
		var out map[string]struct{ ID string }
		m.Do(t, docs.create, map[string]any{"org": org.ID, "input": docs.input(testkit.Unique(string(kind)))}).OK(t, &out)
		var id string
		for _, v := range out {
			id = v.ID
		}
		m.Do(t, docs.update, map[string]any{"id": id, "input": docs.input(testkit.Unique(string(kind)))}).OK(t, nil)
		m.Do(t, docs.delete, map[string]any{"id": id}).OK(t, nil)
	}
	before, eventsBefore := storedGroups(t, e, org), allEvents(t, e, org)
	for _, kind := range []rbac.Kind{rbac.Billing, rbac.Viewer} {
		m := e.SignIn(t, "reader")
		e.AddMember(t, org, m, kind)
		m.Do(t, nodeDoc, map[string]any{"id": groupID}).OK(t, nil)
		lgs, ags := lists(t, m, org)
		if len(lgs)+len(ags) != 1 {
			t.Fatalf("%s lists %d labels groups and %d annotations groups, want the one", kind, len(lgs), len(ags))
		}
		m.Do(t, docs.create, map[string]any{"org": org.ID, "input": docs.input("mine")}).Err(t, "FORBIDDEN")
		m.Do(t, docs.update, map[string]any{"id": groupID, "input": docs.input("mine")}).Err(t, "FORBIDDEN")
		m.Do(t, docs.delete, map[string]any{"id": groupID}).Err(t, "FORBIDDEN")
	}
	if after := storedGroups(t, e, org); !reflect.DeepEqual(after, before) {
		t.Fatalf("refused writes changed the groups:\nbefore %v\nafter  %v", before, after)
	}
	if n := allEvents(t, e, org); n != eventsBefore {
		t.Fatalf("refused writes recorded %d events", n-eventsBefore)
	}
}

// checkOutsider proves that the owner of another organization neither sees
// nor changes the group, nor creates one in org: all answer like IDs that
// do not exist, and nothing changes.
func checkOutsider(t *testing.T, e *testkit.Env, org testkit.Org, groupID string, docs roleDocs) {
	t.Helper()
	before, eventsBefore := storedGroups(t, e, org), allEvents(t, e, org)
	stranger, own := outsider(t, e)
	stranger.Do(t, nodeDoc, map[string]any{"id": groupID}).Err(t, "NOT_FOUND")
	stranger.Do(t, listDoc, map[string]any{"org": org.ID}).Err(t, "NOT_FOUND")
	if lgs, ags := lists(t, stranger, own); len(lgs)+len(ags) != 0 {
		t.Fatalf("the stranger's own organization lists %+v %+v", lgs, ags)
	}
	stranger.Do(t, docs.update, map[string]any{"id": groupID, "input": docs.input("mine")}).Err(t, "NOT_FOUND")
	stranger.Do(t, docs.delete, map[string]any{"id": groupID}).Err(t, "NOT_FOUND")
	stranger.Do(t, docs.create, map[string]any{"org": org.ID, "input": docs.input("mine")}).Err(t, "NOT_FOUND")
	if after := storedGroups(t, e, org); !reflect.DeepEqual(after, before) {
		t.Fatalf("the stranger changed the groups:\nbefore %v\nafter  %v", before, after)
	}
	if n := allEvents(t, e, org); n != eventsBefore {
		t.Fatalf("the stranger's requests recorded %d events", n-eventsBefore)
	}
}
