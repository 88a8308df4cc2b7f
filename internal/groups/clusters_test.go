package groups_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	entcluster "github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// refIDs returns the IDs of refs, sorted: clusters and their labels groups come in no particular order.
func refIDs(refs []ref) []string {
	ids := []string{}
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := append([]string{}, ids...)
	sort.Strings(out)
	return out
}

// storedClusterGroups returns, per cluster of org, the IDs of the labels groups it uses, as stored.
func storedClusterGroups(t *testing.T, e *testkit.Env, org testkit.Org) map[string][]string {
	t.Helper()
	list, err := e.DB.Client.Cluster.Query().Where(entcluster.OrganizationID(org.ID)).WithLabelsGroups().All(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range list {
		ids := []string{}
		for _, g := range c.Edges.LabelsGroups {
			ids = append(ids, g.ID)
		}
		sort.Strings(ids)
		out[c.ID] = ids
	}
	return out
}

// joinRows counts the rows linking cluster clusterID to labels groups.
func joinRows(t *testing.T, e *testkit.Env, clusterID string) int {
	t.Helper()
	q, args := entsql.Dialect(e.DB.Dialect).Select(entsql.Count("*")).From(entsql.Table(entcluster.LabelsGroupsTable)).
		Where(entsql.EQ(entcluster.LabelsGroupsPrimaryKey[0], clusterID)).Query()
	var n int
	if err := e.DB.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClustersUseLabelsGroups(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID}).OK(t, nil)
		g1 := createLabelsGroup(t, alice, org, labelsInput("one", lbl("a", "1", false)))
		g2 := createLabelsGroup(t, alice, org, labelsInput("two", lbl("b", "2", true)))
		g3 := createLabelsGroup(t, alice, org, labelsInput("three", lbl("c", "3", false)))

		// A cluster created with labels groups, read from both sides.
		prod := createCluster(t, alice, org, "prod", g1.ID, g2.ID)
		if got := refIDs(prod.LabelsGroups); !slices.Equal(got, sorted(g1.ID, g2.ID)) {
			t.Fatalf("created cluster's labels groups %v", got)
		}
		lgs, _ := lists(t, alice, org)
		used := map[string][]string{}
		for _, g := range lgs {
			used[g.ID] = refIDs(g.Clusters)
		}
		if want := map[string][]string{g1.ID: {prod.ID}, g2.ID: {prod.ID}, g3.ID: {}}; !reflect.DeepEqual(used, want) {
			t.Fatalf("labels groups' clusters %v, want %v", used, want)
		}
		plain := createCluster(t, alice, org, "plain")
		if plain.LabelsGroups == nil || len(plain.LabelsGroups) != 0 {
			t.Fatalf("a cluster without labels groups has %#v, want []", plain.LabelsGroups)
		}

		// An update replaces the set when given, and keeps it otherwise.
		var up struct{ UpdateCluster cluster }
		alice.Do(t, updateClusterDoc, map[string]any{"id": prod.ID, "input": map[string]any{"labelsGroupIDs": []string{g2.ID, g3.ID}}}).OK(t, &up)
		if got := refIDs(up.UpdateCluster.LabelsGroups); !slices.Equal(got, sorted(g2.ID, g3.ID)) {
			t.Fatalf("updated cluster's labels groups %v", got)
		}
		alice.Do(t, updateClusterDoc, map[string]any{"id": prod.ID, "input": map[string]any{"description": "x"}}).OK(t, &up)
		if got := refIDs(up.UpdateCluster.LabelsGroups); !slices.Equal(got, sorted(g2.ID, g3.ID)) {
			t.Fatalf("an update without labelsGroupIDs changed them to %v", got)
		}
		// The same set again changes nothing and records nothing.
		alice.Do(t, updateClusterDoc, map[string]any{"id": prod.ID, "input": map[string]any{"labelsGroupIDs": []string{g3.ID, g2.ID}}}).OK(t, nil)

		// One event per change; the cluster's events say which groups it gained and lost.
		if got, want := events(t, e, org, prod.ID), []string{"CLUSTER CREATE", "CLUSTER UPDATE", "CLUSTER UPDATE"}; !slices.Equal(got, want) {
			t.Fatalf("cluster events %v, want %v", got, want)
		}
		changes := eventChanges(t, e, org, prod.ID)
		b, _ := json.Marshal(sorted(g1.ID, g2.ID))
		ids12 := string(b)
		if !strings.Contains(changes[0], `"labelsGroups":`+ids12) {
			t.Errorf("the create event %s does not list the labels groups %s", changes[0], ids12)
		}
		if want := `{"labelsGroups":{"added":["` + g3.ID + `"],"removed":["` + g1.ID + `"]}}`; changes[1] != want {
			t.Errorf("the update event's change is %s, want %s", changes[1], want)
		}

		// A group in use cannot be deleted: CONFLICT naming the clusters, by name.
		alice.Do(t, updateClusterDoc, map[string]any{"id": plain.ID, "input": map[string]any{"labelsGroupIDs": []string{g3.ID}}}).OK(t, nil)
		before := storedGroups(t, e, org)
		err := alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g3.ID}).Err(t, "CONFLICT")
		if !strings.Contains(err.Message, `"plain", "prod"`) || !strings.Contains(err.Message, `"three"`) {
			t.Fatalf("in-use message %q does not name the clusters", err.Message)
		}
		err = alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g2.ID}).Err(t, "CONFLICT")
		if !strings.Contains(err.Message, `cluster "prod"`) {
			t.Fatalf("in-use message %q does not name the cluster", err.Message)
		}
		if after := storedGroups(t, e, org); !reflect.DeepEqual(after, before) {
			t.Fatalf("a refused delete changed the groups")
		}
		// A member without MANAGE_SETTINGS is refused before learning the group is in use.
		viewer := e.SignIn(t, "viewer")
		e.AddMember(t, org, viewer, rbac.Viewer)
		viewer.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g3.ID}).Err(t, "FORBIDDEN")

		// Once no cluster uses it (removed from one, the other deleted), it can be deleted.
		alice.Do(t, updateClusterDoc, map[string]any{"id": prod.ID, "input": map[string]any{"labelsGroupIDs": []string{}}}).OK(t, &up)
		if len(up.UpdateCluster.LabelsGroups) != 0 {
			t.Fatalf("labelsGroupIDs: [] left %v", up.UpdateCluster.LabelsGroups)
		}
		alice.Do(t, deleteClusterDoc, map[string]any{"id": plain.ID}).OK(t, nil)
		if n := joinRows(t, e, plain.ID); n != 0 {
			t.Fatalf("the deleted cluster left %d rows linking it to labels groups", n)
		}
		alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g3.ID}).OK(t, nil)
		alice.Do(t, deleteLabelsGroupDoc, map[string]any{"id": g2.ID}).OK(t, nil)
		if got := storedClusterGroups(t, e, org); !reflect.DeepEqual(got, map[string][]string{prod.ID: {}}) {
			t.Fatalf("clusters' labels groups after the deletes: %v", got)
		}
	})
}

// labelsGroupIDs naming anything but a labels group of the cluster's own
// organization is BAD_USER_INPUT naming the item, the same answer for an ID
// that does not exist and one of another organization, even to a member of
// both; nothing is stored.
func TestClusterLabelsGroupIDsValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, changePlanDoc, map[string]any{"org": org.ID}).OK(t, nil)
		own := createLabelsGroup(t, alice, org, labelsInput("own", lbl("a", "1", false)))
		annotations := createAnnotationsGroup(t, alice, org, annotationsInput("annotations", []string{"PODS"}, ann("a", "1")))
		existing := createCluster(t, alice, org, "existing", own.ID)

		// Alice also owns a second organization, whose group she can see.
		other := alice.CreateOrg(t)
		theirs := createLabelsGroup(t, alice, other, labelsInput("theirs", lbl("a", "1", false)))
		stranger, strangersOrg := outsider(t, e)
		strangers := createLabelsGroup(t, stranger, strangersOrg, labelsInput("strangers", lbl("a", "1", false)))

		unknown := "lbg_01" + strings.Repeat("0", 24)
		cases := []struct {
			name  string
			ids   []string
			field string
		}{
			{"an unknown ID", []string{own.ID, unknown}, "input.labelsGroupIDs.1"},
			{"a group of another organization of the caller", []string{own.ID, theirs.ID}, "input.labelsGroupIDs.1"},
			{"a group of a stranger's organization", []string{strangers.ID}, "input.labelsGroupIDs.0"},
			{"an annotations group", []string{annotations.ID}, "input.labelsGroupIDs.0"},
			{"the organization's ID", []string{org.ID}, "input.labelsGroupIDs.0"},
			{"a repeated ID", []string{own.ID, own.ID}, "input.labelsGroupIDs.1"},
			{"an empty ID", []string{""}, "input.labelsGroupIDs.0"},
		}
		messages := map[string]string{}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before, beforeGroups, eventsBefore := storedClusterGroups(t, e, org), storedGroups(t, e, org), allEvents(t, e, org)
				create := map[string]any{"name": "new", "cloudProvider": "GCP", "region": "europe-west1", "labelsGroupIDs": tc.ids}
				errCreate := alice.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": create}).Err(t, "BAD_USER_INPUT")
				errUpdate := alice.Do(t, updateClusterDoc, map[string]any{"id": existing.ID, "input": map[string]any{"name": "renamed", "labelsGroupIDs": tc.ids}}).Err(t, "BAD_USER_INPUT")
				for _, err := range []string{errCreate.Field(), errUpdate.Field()} {
					if err != tc.field {
						t.Errorf("field %q, want %q", err, tc.field)
					}
				}
				messages[tc.name] = errCreate.Message
				if after := storedClusterGroups(t, e, org); !reflect.DeepEqual(after, before) {
					t.Errorf("refused input changed the clusters: before %v, after %v", before, after)
				}
				if after := storedGroups(t, e, org); !reflect.DeepEqual(after, beforeGroups) {
					t.Errorf("refused input changed the groups")
				}
				if n := allEvents(t, e, org); n != eventsBefore {
					t.Errorf("refused input recorded %d events", n-eventsBefore)
				}
			})
		}
		// Another organization's group answers word for word like an unknown ID.
		if a, b := messages["an unknown ID"], messages["a group of another organization of the caller"]; a != b {
			t.Errorf("unknown ID: %q; another organization's: %q", a, b)
		}
		// The stranger cannot attach the victim's group to a cluster of theirs either.
		strangerCluster := createCluster(t, stranger, strangersOrg, "mine")
		if f := stranger.Do(t, updateClusterDoc, map[string]any{"id": strangerCluster.ID, "input": map[string]any{"labelsGroupIDs": []string{own.ID}}}).Err(t, "BAD_USER_INPUT").Field(); f != "input.labelsGroupIDs.0" {
			t.Errorf("stranger: field %q", f)
		}
		// Nor use it on the victim's cluster, which they cannot see.
		stranger.Do(t, updateClusterDoc, map[string]any{"id": existing.ID, "input": map[string]any{"labelsGroupIDs": []string{strangers.ID}}}).Err(t, "NOT_FOUND")
		if got := storedClusterGroups(t, e, org); !reflect.DeepEqual(got, map[string][]string{existing.ID: {own.ID}}) {
			t.Fatalf("the victim's clusters changed: %v", got)
		}
		var node struct {
			Node struct{ Clusters []ref }
		}
		alice.Do(t, `query($id: ID!) { node(id: $id) { ... on LabelsGroup { clusters { id name } } } }`, map[string]any{"id": own.ID}).OK(t, &node)
		if got := refIDs(node.Node.Clusters); !slices.Equal(got, []string{existing.ID}) {
			t.Fatalf("the victim's group is used by %v", got)
		}
	})
}
