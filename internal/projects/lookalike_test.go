package projects_test

import (
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// Project and cluster names are unique by look within an organization.
func TestProjectAndClusterNamesThatLookAlikeConflict(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrgOnPlan(t, "TEAM")
		const name = "Web Store"
		createProject(t, alice, org, map[string]any{"name": name})
		otherProject := createProject(t, alice, org, map[string]any{"name": "api"})
		cluster := map[string]any{"name": name, "cloudProvider": "AWS", "region": "eu-west-3"}
		createCluster(t, alice, org, cluster)
		otherCluster := createCluster(t, alice, org, map[string]any{"name": "prod", "cloudProvider": "AWS", "region": "eu-west-3"})
		for kind, lookAlike := range testkit.LookAlikes(name) {
			for what, r := range map[string]*testkit.Response{
				"create project": alice.Do(t, createProjectDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": lookAlike}}),
				"rename project": alice.Do(t, updateProjectDoc, map[string]any{"id": otherProject.ID, "input": map[string]any{"name": lookAlike}}),
				"create cluster": alice.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": lookAlike, "cloudProvider": "AWS", "region": "eu-west-3"}}),
				"rename cluster": alice.Do(t, updateClusterDoc, map[string]any{"id": otherCluster.ID, "input": map[string]any{"name": lookAlike}}),
			} {
				if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" {
					t.Errorf("%s to %q (%s): %s", what, lookAlike, kind, r.Body)
				}
			}
		}
		// Another organization may use a look-alike; its owner cannot rename this one's project.
		stranger := e.SignIn(t, "mallory")
		strangerOrg := stranger.CreateOrg(t)
		createProject(t, stranger, strangerOrg, map[string]any{"name": "W\u0435b Store"})
		stranger.Do(t, updateProjectDoc, map[string]any{"id": otherProject.ID, "input": map[string]any{"name": "Mine"}}).Err(t, "NOT_FOUND")
	})
}
