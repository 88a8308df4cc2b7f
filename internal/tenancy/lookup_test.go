package tenancy

import (
	"reflect"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/migrate"
)

// orgOwnedTypes returns the mutation type name of every ent type that has an
// organization_id field, found by walking the generated client, so a type
// added later is covered without editing this test.
func orgOwnedTypes(t *testing.T) []string {
	t.Helper()
	client := reflect.ValueOf(ent.NewClient()).Elem()
	var types []string
	for i := 0; i < client.NumField(); i++ {
		f := client.Field(i)
		if f.Kind() != reflect.Pointer {
			continue
		}
		create := f.MethodByName("Create")
		// Entity clients have Create(); the migration Schema's Create takes arguments.
		if !create.IsValid() || create.Type().NumIn() != 0 {
			continue
		}
		m := create.Call(nil)[0].MethodByName("Mutation").Call(nil)[0].Interface().(ent.Mutation)
		if err := m.SetField("organization_id", "org_x"); err == nil {
			types = append(types, m.Type())
		}
	}
	return types
}

func TestEveryOrgOwnedTypeHasLookup(t *testing.T) {
	types := orgOwnedTypes(t)
	tables := 0
	for _, tbl := range migrate.Tables {
		for _, c := range tbl.Columns {
			if c.Name == "organization_id" {
				tables++
			}
		}
	}
	if len(types) != tables {
		t.Fatalf("found %d organization-owned types in the client (%v) but %d tables with organization_id", len(types), types, tables)
	}
	for _, typ := range types {
		if _, ok := orgsOf[typ]; !ok {
			t.Errorf("%s has an organization_id but no entry in orgsOf: its rows could never be updated or deleted", typ)
		}
	}
	t.Logf("organization-owned types: %v", types)
}
