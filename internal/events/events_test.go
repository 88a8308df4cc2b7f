package events_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestDiffListsOnlyChangedFields(t *testing.T) {
	got := events.Diff(
		map[string]any{"name": "a", "description": "", "emails": []string{"x@a.dev"}},
		map[string]any{"name": "a", "description": "d", "emails": []string{"x@a.dev"}},
	)
	want := map[string]any{"description": map[string]any{"from": "", "to": "d"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

// markSensitive marks field of ent type typ Sensitive, as the schema's
// field.Sensitive() does, for the length of the test.
func markSensitive(t *testing.T, typ, field string) {
	t.Helper()
	fields := ent.Fields[typ]
	orig := append([]ent.FieldInfo(nil), fields...)
	found := false
	for i := range fields {
		if fields[i].Name == field {
			fields[i].Sensitive, fields[i].Audited, found = true, false, true
		}
	}
	if !found {
		t.Fatalf("%s has no field %s", typ, field)
	}
	t.Cleanup(func() { copy(ent.Fields[typ], orig) })
}

// A value is kept out of events because the schema marks its field
// Sensitive, not because of what the field is called: a project's
// "description", a name nothing secret would have, marked sensitive, never
// reaches an event or a log line; the event still says it changed.
func TestSensitiveFieldsNeverReachEventsOrLogs(t *testing.T) {
	markSensitive(t, ent.TypeProject, "description")
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		secret := "plain-looking-" + strings.ReplaceAll(testkit.Unique("v"), " ", "-")
		var out struct {
			CreateProject struct{ ID string }
		}
		alice.Do(t, `mutation($org: ID!, $d: String!) { createProject(organizationID: $org, input: {name: "web", description: $d}) { id } }`,
			map[string]any{"org": org.ID, "d": secret}).OK(t, &out)
		alice.Do(t, `mutation($id: ID!, $d: String!) { updateProject(id: $id, input: {name: "web2", description: $d}) { id } }`,
			map[string]any{"id": out.CreateProject.ID, "d": secret + "-2"}).OK(t, nil)

		evs, err := e.DB.Client.OrganizationEvent.Query().
			Where(organizationevent.OrganizationID(org.ID), organizationevent.TargetTypeEQ(organizationevent.TargetTypePROJECT)).
			All(testkit.System(context.Background()))
		if err != nil || len(evs) != 2 {
			t.Fatalf("project events: %d %v", len(evs), err)
		}
		for _, ev := range evs {
			b, _ := json.Marshal(ev.Change)
			if strings.Contains(string(b), secret) {
				t.Errorf("%s event holds the sensitive value: %s", ev.Type, b)
			}
			if d, _ := ev.Change["description"].(map[string]any); d["changed"] != true {
				t.Errorf("%s event does not say the sensitive field changed: %s", ev.Type, b)
			}
		}
		if update := evs[1].Change; !reflect.DeepEqual(update["name"], map[string]any{"from": "web", "to": "web2"}) {
			t.Errorf("the other fields' diff is lost: %v", update)
		}
		if strings.Contains(e.Logs(), secret) {
			t.Errorf("the sensitive value reached the log")
		}
	})
}
