package groups_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/annotationsgroup"
	"github.com/orgql/orgql/ent/labelsgroup"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const (
	labelsGroupFields      = `id name labels { key value propagateToCloudProvider } createdAt updatedAt creator { login } clusters { id name }`
	annotationsGroupFields = `id name annotations { key value } scopes createdAt updatedAt creator { login }`

	createLabelsGroupDoc = `mutation($org: ID!, $input: LabelsGroupInput!) { createLabelsGroup(organizationID: $org, input: $input) { ` + labelsGroupFields + ` } }`
	updateLabelsGroupDoc = `mutation($id: ID!, $input: LabelsGroupInput!) { updateLabelsGroup(id: $id, input: $input) { ` + labelsGroupFields + ` } }`
	deleteLabelsGroupDoc = `mutation($id: ID!) { deleteLabelsGroup(id: $id) }`

	createAnnotationsGroupDoc = `mutation($org: ID!, $input: AnnotationsGroupInput!) { createAnnotationsGroup(organizationID: $org, input: $input) { ` + annotationsGroupFields + ` } }`
	updateAnnotationsGroupDoc = `mutation($id: ID!, $input: AnnotationsGroupInput!) { updateAnnotationsGroup(id: $id, input: $input) { ` + annotationsGroupFields + ` } }`
	deleteAnnotationsGroupDoc = `mutation($id: ID!) { deleteAnnotationsGroup(id: $id) }`

	nodeDoc = `query($id: ID!) { node(id: $id) { id ... on LabelsGroup { ` + labelsGroupFields + ` } ... on AnnotationsGroup { ` + annotationsGroupFields + ` } } }`
	listDoc = `query($org: ID!) { organization(id: $org) {
		labelsGroups(first: 50) { totalCount edges { node { ` + labelsGroupFields + ` } } }
		annotationsGroups(first: 50) { totalCount edges { node { ` + annotationsGroupFields + ` } } }
	} }`

	createClusterDoc = `mutation($org: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $org, input: $input) { id name labelsGroups { id name } } }`
	updateClusterDoc = `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id name labelsGroups { id name } } }`
	deleteClusterDoc = `mutation($id: ID!) { deleteCluster(id: $id) }`
	changePlanDoc    = `mutation($org: ID!) { changePlan(organizationID: $org, plan: TEAM) { id } }`
)

type label struct {
	Key, Value               string
	PropagateToCloudProvider bool
}

type annotation struct{ Key, Value string }

type ref struct{ ID, Name string }

type labelsGroup struct {
	ID, Name             string
	Labels               []label
	CreatedAt, UpdatedAt string
	Creator              *struct{ Login string }
	Clusters             []ref
}

type annotationsGroup struct {
	ID, Name             string
	Annotations          []annotation
	Scopes               []string
	CreatedAt, UpdatedAt string
	Creator              *struct{ Login string }
}

// stored is g as the store keeps it: PostgreSQL rounds times to the
// microsecond, while a create answers with the time it set.
func (g labelsGroup) stored() labelsGroup {
	g.CreatedAt, g.UpdatedAt = microseconds(g.CreatedAt), microseconds(g.UpdatedAt)
	g.Creator = nil // compared by login where it matters
	return g
}

func (g annotationsGroup) stored() annotationsGroup {
	g.CreatedAt, g.UpdatedAt = microseconds(g.CreatedAt), microseconds(g.UpdatedAt)
	g.Creator = nil
	return g
}

func microseconds(s string) string {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "bad time " + s
	}
	return ts.Round(time.Microsecond).UTC().Format(time.RFC3339Nano)
}

type cluster struct {
	ID, Name     string
	LabelsGroups []ref
}

// lbl is one label of an input.
func lbl(key, value string, propagate bool) map[string]any {
	return map[string]any{"key": key, "value": value, "propagateToCloudProvider": propagate}
}

// ann is one annotation of an input.
func ann(key, value string) map[string]any { return map[string]any{"key": key, "value": value} }

func labelsInput(name string, labels ...map[string]any) map[string]any {
	list := make([]any, len(labels))
	for i, l := range labels {
		list[i] = l
	}
	return map[string]any{"name": name, "labels": list}
}

func annotationsInput(name string, scopes []string, annotations ...map[string]any) map[string]any {
	list := make([]any, len(annotations))
	for i, a := range annotations {
		list[i] = a
	}
	return map[string]any{"name": name, "annotations": list, "scopes": scopes}
}

func createLabelsGroup(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) labelsGroup {
	t.Helper()
	var out struct{ CreateLabelsGroup labelsGroup }
	c.Do(t, createLabelsGroupDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateLabelsGroup
}

func createAnnotationsGroup(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) annotationsGroup {
	t.Helper()
	var out struct{ CreateAnnotationsGroup annotationsGroup }
	c.Do(t, createAnnotationsGroupDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateAnnotationsGroup
}

func createCluster(t *testing.T, c *testkit.Client, org testkit.Org, name string, groupIDs ...string) cluster {
	t.Helper()
	input := map[string]any{"name": name, "cloudProvider": "AWS", "region": "eu-west-3"}
	if groupIDs != nil {
		input["labelsGroupIDs"] = groupIDs
	}
	var out struct{ CreateCluster cluster }
	c.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateCluster
}

// lists reads org's groups through organization { labelsGroups annotationsGroups } as c.
func lists(t *testing.T, c *testkit.Client, org testkit.Org) ([]labelsGroup, []annotationsGroup) {
	t.Helper()
	var out struct {
		Organization struct {
			LabelsGroups struct {
				TotalCount int
				Edges      []struct{ Node labelsGroup }
			}
			AnnotationsGroups struct {
				TotalCount int
				Edges      []struct{ Node annotationsGroup }
			}
		}
	}
	c.Do(t, listDoc, map[string]any{"org": org.ID}).OK(t, &out)
	var lgs []labelsGroup
	for _, e := range out.Organization.LabelsGroups.Edges {
		lgs = append(lgs, e.Node)
	}
	var ags []annotationsGroup
	for _, e := range out.Organization.AnnotationsGroups.Edges {
		ags = append(ags, e.Node)
	}
	if len(lgs) != out.Organization.LabelsGroups.TotalCount || len(ags) != out.Organization.AnnotationsGroups.TotalCount {
		t.Fatalf("totalCount disagrees with the edges: %+v", out)
	}
	return lgs, ags
}

// events lists org's events on target id, oldest first, as "TARGET TYPE" strings.
func events(t *testing.T, e *testkit.Env, org testkit.Org, targetID string) []string {
	t.Helper()
	var out []string
	for _, ev := range eventRows(t, e, org, targetID) {
		out = append(out, string(ev.TargetType)+" "+string(ev.Type))
	}
	return out
}

// eventChanges returns the change of each of org's events on target id, oldest first, as JSON.
func eventChanges(t *testing.T, e *testkit.Env, org testkit.Org, targetID string) []string {
	t.Helper()
	var out []string
	for _, ev := range eventRows(t, e, org, targetID) {
		b, err := json.Marshal(ev.Change)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func eventRows(t *testing.T, e *testkit.Env, org testkit.Org, targetID string) []*ent.OrganizationEvent {
	t.Helper()
	list, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(org.ID), organizationevent.TargetID(targetID)).
		Order(organizationevent.ByID()). // IDs are ULIDs: creation order
		All(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// storedGroups returns org's labels and annotations groups as stored, as
// JSON by ID: what a refused change must leave as it was.
func storedGroups(t *testing.T, e *testkit.Env, org testkit.Org) map[string]string {
	t.Helper()
	ctx := testkit.System(context.Background())
	out := map[string]string{}
	lgs, err := e.DB.Client.LabelsGroup.Query().Where(labelsgroup.OrganizationID(org.ID)).WithClusters().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range lgs {
		b, _ := json.Marshal(g)
		out[g.ID] = string(b)
	}
	ags, err := e.DB.Client.AnnotationsGroup.Query().Where(annotationsgroup.OrganizationID(org.ID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ags {
		b, _ := json.Marshal(g)
		out[g.ID] = string(b)
	}
	return out
}

// allEvents counts org's events.
func allEvents(t *testing.T, e *testkit.Env, org testkit.Org) int {
	t.Helper()
	n, err := e.DB.Client.OrganizationEvent.Query().Where(organizationevent.OrganizationID(org.ID)).Count(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// outsider signs in a user who owns another organization: every capability there, none here.
func outsider(t *testing.T, e *testkit.Env) (*testkit.Client, testkit.Org) {
	t.Helper()
	c := e.SignIn(t, "mallory")
	return c, c.CreateOrg(t)
}
