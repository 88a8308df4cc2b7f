package tenancy_test

import (
	"bytes"
	"testing"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/testkit"
)

// Security 15: node(id:) and nodes(ids:) answer an ID of another organization
// exactly as they answer an ID that does not exist.
func TestNodeAnswersAnotherOrganizationsIDLikeARandomID(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		a := populate(t, e, alice)
		bob := e.SignIn(t, "bob")
		bob.CreateOrg(t)

		const nodeQuery = `query($id: ID!) { node(id: $id) { id __typename } }`
		const nodesQuery = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
		for prefix, theirs := range a.IDs {
			random := id.New(prefix)
			// Alice sees her own row: the fixture is real.
			alice.Do(t, nodeQuery, map[string]any{"id": theirs}).OK(t, nil)

			got := bob.Do(t, nodeQuery, map[string]any{"id": theirs})
			want := bob.Do(t, nodeQuery, map[string]any{"id": random})
			want.Err(t, "NOT_FOUND")
			if !bytes.Equal(got.Body, want.Body) || got.Status != want.Status {
				t.Errorf("%s: node(another organization's id) = %d %s, node(random id) = %d %s", prefix, got.Status, got.Body, want.Status, want.Body)
			}
			got = bob.Do(t, nodesQuery, map[string]any{"ids": []string{theirs}})
			want = bob.Do(t, nodesQuery, map[string]any{"ids": []string{random}})
			if !bytes.Equal(got.Body, want.Body) || got.Status != want.Status {
				t.Errorf("%s: nodes(another organization's id) = %s, nodes(random id) = %s", prefix, got.Body, want.Body)
			}
			if !bytes.Contains(got.Body, []byte(`"nodes":[null]`)) {
				t.Errorf("%s: nodes answered %s", prefix, got.Body)
			}
		}
		if len(a.IDs) < 8 {
			t.Fatalf("fixture covers only %d types", len(a.IDs))
		}
	})
}
