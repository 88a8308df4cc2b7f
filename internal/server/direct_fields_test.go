package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// Fields that read a loaded value (a connection's edges, an edge's node, a
// member's role) are resolved without gqlgen's resolver machinery
// (graph/gqlgen.go, directFields); an error or a panic below them still
// names its whole path, with every list index, and nulls what the schema
// says it nulls.
func TestErrorsBelowDirectFieldsKeepTheirPath(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		e.AddMember(t, org, e.SignIn(t, "bob"), rbac.Viewer)
		other := e.SignIn(t, "carol").CreateOrg(t)
		replaceServer(t, e, server.Options{AroundFields: func(ctx context.Context, next graphql.Resolver) (any, error) {
			switch fc := graphql.GetFieldContext(ctx); fc.Object + "." + fc.Field.Name {
			case "Organization.plan":
				return nil, errors.New("plan failed")
			case "Role.builtIn":
				if fc.Parent.Parent.Parent.Index != nil && *fc.Parent.Parent.Parent.Index == 1 {
					panic("builtIn failed")
				}
			}
			return next(ctx)
		}})
		for _, c := range []struct {
			name, doc string
			vars      map[string]any
			path      string
			data      string
		}{
			{"under a connection's edges and nodes",
				`{ viewer { organizations(first: 5) { edges { cursor node { id plan { code } } } } } }`, nil,
				`["viewer","organizations","edges",0,"node","plan"]`,
				`{"viewer":{"organizations":{"edges":[{"cursor":%q,"node":null}]}}}`},
			{"a panic under a member's role",
				`query($id: ID!) { organization(id: $id) { members(first: 5) { edges { node { user { login } role { builtIn } } } } } }`,
				map[string]any{"id": org.ID},
				`["organization","members","edges",1,"node","role","builtIn"]`,
				`{"organization":{"members":{"edges":[{"node":{"user":{"login":%q},"role":{"builtIn":true}}},{"node":null}]}}}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := alice.Do(t, c.doc, c.vars)
				if len(r.Errors) != 1 {
					t.Fatalf("%d errors, want 1: %s", len(r.Errors), r.Body)
				}
				path, _ := json.Marshal(r.Errors[0].Path)
				if string(path) != c.path || r.Errors[0].Code() != "INTERNAL_SERVER_ERROR" {
					t.Fatalf("error at %s (%s), want at %s: %s", path, r.Errors[0].Code(), c.path, r.Body)
				}
				want := fmt.Sprintf(c.data, alice.Login)
				if c.vars == nil {
					var cursor struct {
						Viewer struct {
							Organizations struct{ Edges []struct{ Cursor string } }
						}
					}
					if err := json.Unmarshal(r.Data, &cursor); err != nil || len(cursor.Viewer.Organizations.Edges) != 1 {
						t.Fatalf("data %s: %v", r.Data, err)
					}
					want = fmt.Sprintf(c.data, cursor.Viewer.Organizations.Edges[0].Cursor)
				}
				if string(r.Data) != want {
					t.Fatalf("data %s, want %s (another organization: %s)", r.Data, want, other.ID)
				}
			})
		}
	})
}
