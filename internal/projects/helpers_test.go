package projects_test

import (
	"context"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

const (
	createProjectDoc = `mutation($org: ID!, $input: CreateProjectInput!) { createProject(organizationID: $org, input: $input) { id name description } }`
	updateProjectDoc = `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id name description } }`
	deleteProjectDoc = `mutation($id: ID!) { deleteProject(id: $id) }`
	createClusterDoc = `mutation($org: ID!, $input: CreateClusterInput!) { createCluster(organizationID: $org, input: $input) {
		id name description cloudProvider region kubernetesMode production } }`
	updateClusterDoc = `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) {
		id name description cloudProvider region kubernetesMode production } }`
	deleteClusterDoc = `mutation($id: ID!) { deleteCluster(id: $id) }`
	nodeDoc          = `query($id: ID!) { node(id: $id) { id } }`
)

type project struct{ ID, Name, Description string }

type cluster struct {
	ID, Name, Description, CloudProvider, Region, KubernetesMode string
	Production                                                   bool
}

func createProject(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) project {
	t.Helper()
	var out struct{ CreateProject project }
	c.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateProject
}

func createCluster(t *testing.T, c *testkit.Client, org testkit.Org, input map[string]any) cluster {
	t.Helper()
	var out struct{ CreateCluster cluster }
	c.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": input}).OK(t, &out)
	return out.CreateCluster
}

// outsider signs in a user who owns another organization: every capability there, none here.
func outsider(t *testing.T, e *testkit.Env) *testkit.Client {
	t.Helper()
	c := e.SignIn(t, "mallory")
	c.CreateOrg(t)
	return c
}

// events lists org's events on target id, oldest first, as "TYPE" strings.
func events(t *testing.T, e *testkit.Env, org testkit.Org, targetID string) []string {
	t.Helper()
	list, err := e.DB.Client.OrganizationEvent.Query().
		Where(organizationevent.OrganizationID(org.ID), organizationevent.TargetID(targetID)).
		Order(organizationevent.ByID()). // IDs are ULIDs: creation order
		All(testkit.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range list {
		out = append(out, string(ev.TargetType)+" "+string(ev.Type))
	}
	return out
}
