package tenancy_test

import (
	"sort"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/migrate"
	"github.com/orgql/orgql/internal/rbac"
)

// orgOwnedTypes lists the ent types with an organization_id field, from the
// generated field list, so a type added later is covered without editing
// this test.
func orgOwnedTypes() []string {
	var types []string
	for typ, fields := range ent.Fields {
		for _, f := range fields {
			if f.Name == "organization_id" {
				types = append(types, typ)
			}
		}
	}
	sort.Strings(types)
	return types
}

// The permission table is the one place a write capability is named: every
// organization-owned type has its entry, exactly one, and the table names
// no type that does not exist or is not organization-owned.
func TestEveryOrgOwnedTypeHasOnePermissionEntry(t *testing.T) {
	types := orgOwnedTypes()
	tables := 0
	for _, tbl := range migrate.Tables {
		for _, c := range tbl.Columns {
			if c.Name == "organization_id" {
				tables++
			}
		}
	}
	if len(types) != tables || len(types) == 0 {
		t.Fatalf("found %d organization-owned types (%v) but %d tables with organization_id", len(types), types, tables)
	}
	owned := map[string]bool{}
	for _, typ := range types {
		owned[typ] = true
		obj, ok := rbac.Objects[typ]
		if !ok {
			t.Errorf("%s has an organization_id but no entry in rbac.Objects: no caller could read or write it", typ)
			continue
		}
		if obj.Read == "" {
			t.Errorf("%s: its entry names no read capability", typ)
		}
	}
	for typ := range rbac.Objects {
		if !owned[typ] {
			t.Errorf("rbac.Objects has an entry for %s, which is not an organization-owned ent type", typ)
		}
	}
	t.Logf("organization-owned types: %v", types)
}

// Every target type of an organization event names the type of its target
// in rbac.EventTargets, so that its events are read with that type's read
// capability.
func TestEveryEventTargetHasItsType(t *testing.T) {
	var targets []string
	for _, c := range migrate.OrganizationEventsTable.Columns {
		if c.Name == "target_type" {
			targets = c.Enums
		}
	}
	if len(targets) == 0 {
		t.Fatal("no target types found in the schema")
	}
	for _, v := range targets {
		typ, ok := rbac.EventTargets[v]
		if !ok {
			t.Errorf("target type %s is not in rbac.EventTargets", v)
			continue
		}
		if _, ok := rbac.Objects[typ]; typ != "" && !ok {
			t.Errorf("target type %s: %s is not in the permission table", v, typ)
		}
	}
	if len(rbac.EventTargets) != len(targets) {
		t.Errorf("rbac.EventTargets names target types that do not exist")
	}
}
