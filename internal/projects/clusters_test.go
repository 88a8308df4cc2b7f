package projects_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestClusterLifecycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, `mutation($id: ID!) { changePlan(organizationID: $id, plan: TEAM) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)

		c := createCluster(t, alice, org, map[string]any{"name": "Prod", "cloudProvider": "SCW", "region": "fr-par"})
		if want := (cluster{ID: c.ID, Name: "Prod", CloudProvider: "SCW", Region: "fr-par", KubernetesMode: "MANAGED"}); c != want {
			t.Fatalf("created %+v, want %+v", c, want)
		}
		staging := createCluster(t, alice, org, map[string]any{"name": "staging", "description": "pre-prod", "cloudProvider": "AWS",
			"region": "eu-west-3", "kubernetesMode": "SELF_MANAGED", "production": false})
		if staging.KubernetesMode != "SELF_MANAGED" || staging.Description != "pre-prod" {
			t.Fatalf("created %+v", staging)
		}

		// Names are unique per organization, case-insensitively, on create and update.
		alice.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "PROD", "cloudProvider": "AWS", "region": "x"}}).Err(t, "CONFLICT")
		alice.Do(t, updateClusterDoc, map[string]any{"id": staging.ID, "input": map[string]any{"name": "prod"}}).Err(t, "CONFLICT")

		// A DevOps member updates; omitted fields stay.
		devops := e.SignIn(t, "devops")
		e.AddMember(t, org, devops, rbac.DevOps)
		var out struct{ UpdateCluster cluster }
		devops.Do(t, updateClusterDoc, map[string]any{"id": c.ID, "input": map[string]any{"region": "nl-ams", "production": true, "kubernetesMode": "PARTIALLY_MANAGED"}}).OK(t, &out)
		if want := (cluster{ID: c.ID, Name: "Prod", CloudProvider: "SCW", Region: "nl-ams", KubernetesMode: "PARTIALLY_MANAGED", Production: true}); out.UpdateCluster != want {
			t.Fatalf("updated %+v, want %+v", out.UpdateCluster, want)
		}

		// Every member reads clusters; only MANAGE_CLUSTERS changes them.
		for _, kind := range []rbac.Kind{rbac.Billing, rbac.Viewer} {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			m.Do(t, nodeDoc, map[string]any{"id": c.ID}).OK(t, nil)
			m.Do(t, updateClusterDoc, map[string]any{"id": c.ID, "input": map[string]any{"name": "x"}}).Err(t, "FORBIDDEN")
			m.Do(t, deleteClusterDoc, map[string]any{"id": c.ID}).Err(t, "FORBIDDEN")
		}

		// A member of another organization neither sees nor changes it.
		stranger := outsider(t, e)
		stranger.Do(t, nodeDoc, map[string]any{"id": c.ID}).Err(t, "NOT_FOUND")
		stranger.Do(t, updateClusterDoc, map[string]any{"id": c.ID, "input": map[string]any{"name": "x"}}).Err(t, "NOT_FOUND")
		stranger.Do(t, deleteClusterDoc, map[string]any{"id": c.ID}).Err(t, "NOT_FOUND")
		stranger.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": map[string]any{"name": "mine", "cloudProvider": "AWS", "region": "x"}}).Err(t, "NOT_FOUND")

		var del struct{ DeleteCluster string }
		alice.Do(t, deleteClusterDoc, map[string]any{"id": c.ID}).OK(t, &del)
		if del.DeleteCluster != c.ID {
			t.Fatalf("deleteCluster = %q", del.DeleteCluster)
		}
		alice.Do(t, nodeDoc, map[string]any{"id": c.ID}).Err(t, "NOT_FOUND")
		if got, want := events(t, e, org, c.ID), []string{"CLUSTER CREATE", "CLUSTER UPDATE", "CLUSTER DELETE"}; !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

func TestClusterValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		c := createCluster(t, alice, org, map[string]any{"name": "prod", "cloudProvider": "AWS", "region": "eu-west-3"})
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"trailing space", map[string]any{"name": "prod2 "}, "input.name"},
			{"empty region", map[string]any{"name": "ok", "region": ""}, "input.region"},
			{"too long description", map[string]any{"name": "ok", "description": strings.Repeat("x", 1001)}, "input.description"},
		}
		stranger := outsider(t, e)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				stranger.Do(t, updateClusterDoc, map[string]any{"id": c.ID, "input": tc.input}).Err(t, "NOT_FOUND")
				create := map[string]any{"cloudProvider": "GCP", "region": "europe-west1"}
				for k, v := range tc.input {
					create[k] = v
				}
				if f := alice.Do(t, createClusterDoc, map[string]any{"org": org.ID, "input": create}).Err(t, "BAD_USER_INPUT").Field(); f != tc.field {
					t.Fatalf("create: field %q, want %q", f, tc.field)
				}
				if f := alice.Do(t, updateClusterDoc, map[string]any{"id": c.ID, "input": tc.input}).Err(t, "BAD_USER_INPUT").Field(); f != tc.field {
					t.Fatalf("update: field %q, want %q", f, tc.field)
				}
			})
		}
	})
}

func TestClusterPlanLimit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t) // FREE: 1 cluster
		createCluster(t, alice, org, map[string]any{"name": "one", "cloudProvider": "AWS", "region": "us-east-1"})
		second := map[string]any{"org": org.ID, "input": map[string]any{"name": "two", "cloudProvider": "AWS", "region": "us-east-1"}}
		err := alice.Do(t, createClusterDoc, second).Err(t, "PLAN_LIMIT_EXCEEDED")
		if err.Extensions["limit"] != "clusters" {
			t.Fatalf("limit = %v, want clusters", err.Extensions["limit"])
		}
		outsider(t, e).Do(t, createClusterDoc, second).Err(t, "NOT_FOUND")
		alice.Do(t, `mutation($id: ID!) { changePlan(organizationID: $id, plan: TEAM) { id } }`, map[string]any{"id": org.ID}).OK(t, nil)
		alice.Do(t, createClusterDoc, second).OK(t, nil)
	})
}
