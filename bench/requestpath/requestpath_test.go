// Package requestpath benchmarks the console's queries through the real
// handler (internal/testkit): time, allocations and SQL statements per
// request, so that a change that costs more shows in review
// (bench/README.md). SQLite always; PostgreSQL too when
// ORGQL_TEST_POSTGRES_URL is set.
package requestpath

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// The documents of bench/queries: the big one and the small one.
const (
	bigQuery   = `{ viewer { organizations(first: 100) { edges { node { id name members(first: 20) { edges { node { role { name } user { login } } } } } } } } }`
	smallQuery = `{ viewer { organizations(first: 10) { edges { node { id name } } } } }`
)

func production(c *config.Config) { c.Dev, c.Introspection = false, false }

// seed signs in a user and makes them the owner of orgs organizations, each
// with members-1 other members (VIEWER), written in bulk as the system.
func seed(tb testing.TB, e *testkit.Env, orgs, members int) *testkit.Client {
	tb.Helper()
	me := e.SignIn(tb, "bench")
	ctx := testkit.System(context.Background())
	c := e.DB.Client
	var memberships []*ent.MembershipCreate
	for o := range orgs {
		org := me.CreateOrg(tb)
		viewer, err := c.Role.Query().Where(role.OrganizationID(org.ID), role.KindEQ(rbac.Viewer)).OnlyID(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		users := make([]*ent.UserCreate, members-1)
		for i := range users {
			login := fmt.Sprintf("%s-m%d-%d", me.Login, o, i)
			users[i] = c.User.Create().SetProvider(user.ProviderDEV).SetProviderUserID(login).SetLogin(login)
		}
		created, err := c.User.CreateBulk(users...).Save(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for _, u := range created {
			memberships = append(memberships, c.Membership.Create().SetOrganizationID(org.ID).SetUserID(u.ID).SetRoleID(viewer))
		}
	}
	for len(memberships) > 0 {
		n := min(len(memberships), 500)
		if err := c.Membership.CreateBulk(memberships[:n]...).Exec(ctx); err != nil {
			tb.Fatal(err)
		}
		memberships = memberships[n:]
	}
	me.Do(tb, `{ viewer { user { id } } }`, nil).OK(tb, nil) // the session's activity is written now, not below
	return me
}

// request is a POST of query (JSON-escaped already) as c.
func request(c *testkit.Client, query string) *http.Request {
	return post(c, `{"query":"`+query+`"}`)
}

// post is a POST of the JSON body as c.
func post(c *testkit.Client, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	return req
}

// BenchmarkBigQuery is one user's 100 organizations with their first 20
// members, each member's role and user: allocs/op is the allocation budget
// of the console's heaviest page, statements/op what it asks the database.
func BenchmarkBigQuery(b *testing.B) { benchmark(b, 100, 20, bigQuery, 100) }

// BenchmarkSmallQuery is the first 10 of the user's organizations, ID and name.
func BenchmarkSmallQuery(b *testing.B) { benchmark(b, 10, 2, smallQuery, 10) }

// BenchmarkUpdateOrganization changes one organization's description, as
// bench/run.sh's updateOrganization does: the write path's allocations and
// statements (the transaction, the privacy rule's check, the event).
func BenchmarkUpdateOrganization(b *testing.B) {
	for _, backend := range testkit.Backends(b) {
		b.Run(string(backend), func(b *testing.B) {
			e := testkit.New(b, backend, nil)
			me := seed(b, e, 1, 2)
			production(&e.Config)
			e.Reconfigure(b, nil)
			var out struct {
				Viewer struct {
					Organizations struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
			}
			me.Do(b, smallQuery, nil).OK(b, &out)
			org := out.Viewer.Organizations.Edges[0].Node.ID
			// As bench/queries/update.graphql: one document, the values in variables.
			update := func(i int) *http.Request {
				return post(me, fmt.Sprintf(`{"query":"mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id description } }","variables":{"id":%q,"d":"d%d"}}`, org, i))
			}
			var stmts testkit.Statements
			rec := httptest.NewRecorder()
			e.Server.ServeHTTP(rec, update(0).WithContext(testkit.Recording(context.Background(), &stmts)))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"description":"d0"`) {
				b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				rec := httptest.NewRecorder()
				e.Server.ServeHTTP(rec, update(i))
				if rec.Code != http.StatusOK {
					b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(stmts.Count()), "statements/op")
		})
	}
}

func benchmark(b *testing.B, orgs, members int, query string, want int) {
	for _, backend := range testkit.Backends(b) {
		b.Run(string(backend), func(b *testing.B) {
			e := testkit.New(b, backend, nil)
			me := seed(b, e, orgs, members)
			// Measured in the production configuration (seeded with the development sign-in).
			production(&e.Config)
			e.Reconfigure(b, nil)
			var stmts testkit.Statements
			var out struct {
				Viewer struct{ Organizations struct{ Edges []struct{} } }
			}
			me.WithStatements(&stmts).Do(b, query, nil).OK(b, &out)
			if n := len(out.Viewer.Organizations.Edges); n != want {
				b.Fatalf("%d organizations, want %d", n, want)
			}
			var size int
			created := testkit.GoroutinesCreated()
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.Server.ServeHTTP(rec, request(me, query))
				if rec.Code != http.StatusOK {
					b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(testkit.GoroutinesCreated()-created)/float64(b.N), "goroutines/op")
			b.ReportMetric(float64(stmts.Count()), "statements/op")
			b.ReportMetric(float64(size), "B/response")
		})
	}
}

// The benchmark's big query answers every organization with 20 members, in
// as many statements as for 2 organizations: the benchmark measures the
// real page, not an error or an N+1.
func TestBigQueryAnswersEveryMember(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		count := func(orgs int) int {
			me := seed(t, e, orgs, 20)
			var stmts testkit.Statements
			var out struct {
				Viewer struct {
					Organizations struct {
						Edges []struct {
							Node struct {
								Members struct {
									Edges []struct {
										Node struct {
											Role struct{ Name string }
											User struct{ Login string }
										}
									}
								}
							}
						}
					}
				}
			}
			me.WithStatements(&stmts).Do(t, bigQuery, nil).OK(t, &out)
			if n := len(out.Viewer.Organizations.Edges); n != orgs {
				t.Fatalf("%d organizations, want %d", n, orgs)
			}
			for _, o := range out.Viewer.Organizations.Edges {
				if len(o.Node.Members.Edges) != 20 {
					t.Fatalf("%d members, want 20", len(o.Node.Members.Edges))
				}
				for _, m := range o.Node.Members.Edges {
					if m.Node.Role.Name == "" || m.Node.User.Login == "" {
						t.Fatalf("member without role or user: %+v", m.Node)
					}
				}
			}
			return stmts.Count()
		}
		if few, many := count(2), count(30); few != many {
			t.Fatalf("2 organizations take %d statements, 30 take %d", few, many)
		}
	})
}
