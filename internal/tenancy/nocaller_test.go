package tenancy_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/migrate"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// entityClients returns the per-type clients of c (c.User, c.Organization, ...),
// found by reflection so a type added later is covered without editing the test.
func entityClients(c *ent.Client) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		// Entity clients have Query() and Create(); the migration Schema's Create takes arguments.
		create := f.MethodByName("Create")
		if f.Kind() != reflect.Pointer || !f.MethodByName("Query").IsValid() || !create.IsValid() || create.Type().NumIn() != 0 {
			continue
		}
		out[v.Type().Field(i).Name] = f
	}
	return out
}

func call(v reflect.Value, method string, args ...reflect.Value) []reflect.Value {
	return v.MethodByName(method).Call(args)
}

func errOf(out []reflect.Value) error {
	err, _ := out[len(out)-1].Interface().(error)
	return err
}

// Security 16: an ent operation with no caller in context is denied, for every type.
func TestNoCallerIsDeniedForEveryType(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		// Some rows to find, so a missing read rule would return them.
		alice := e.SignIn(t, "alice")
		alice.CreateOrg(t)

		ctx := context.Background()
		tx, err := e.DB.Client.Tx(testkit.System(ctx))
		if err != nil {
			t.Fatal(err)
		}
		// Whatever a broken rule lets through is rolled back.
		defer tx.Rollback() //nolint:errcheck
		clients := entityClients(tx.Client())
		tables := 0
		for _, tbl := range migrate.Tables {
			// A many-to-many edge's join table (two-column key) has no client of its own.
			if len(tbl.PrimaryKey) == 1 {
				tables++
			}
		}
		if len(clients) != tables {
			t.Fatalf("found %d entity clients, but the schema has %d tables of types", len(clients), tables)
		}
		cv := reflect.ValueOf(ctx)
		for name, c := range clients {
			q := call(c, "Query")[0]
			if err := errOf(call(q, "All", cv)); !tenancy.IsDenied(err) {
				t.Errorf("%s: query without a caller: want a privacy denial, got %v", name, err)
			}
			if err := errOf(call(call(c, "Create")[0], "Exec", cv)); !tenancy.IsDenied(err) {
				t.Errorf("%s: create without a caller: want a privacy denial, got %v", name, err)
			}
			if err := errOf(call(call(c, "Update")[0], "Exec", cv)); !tenancy.IsDenied(err) {
				t.Errorf("%s: update without a caller: want a privacy denial, got %v", name, err)
			}
			if err := errOf(call(call(c, "Delete")[0], "Exec", cv)); !tenancy.IsDenied(err) {
				t.Errorf("%s: delete without a caller: want a privacy denial, got %v", name, err)
			}
		}
		t.Logf("checked %d types", len(clients))
	})
}
