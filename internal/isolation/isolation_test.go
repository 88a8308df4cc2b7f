package isolation_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// minSlots is how many ID slots the schema had when this test was written:
// fewer means the walk lost operations (or the schema lost them on purpose,
// and this number goes down with it).
const minSlots = 54

// TestAnotherOrganizationsIDAnswersLikeARandomOne is docs/security.md S15: for
// every ID slot of the schema, the attacker (owner of her own organization)
// sends each ID of the victim's organization, then a random ID of the same
// prefix; both answers must be identical and show none of the victim's data,
// and afterwards nothing of the victim has changed.
func TestAnotherOrganizationsIDAnswersLikeARandomOne(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	slots := idSlots(schema)

	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		victim := newTenant(t, e, "alice", "bob")
		attacker := newTenant(t, e, "mallory", "mike")
		b := &builder{schema: schema, own: attacker.Own, confirmName: victim.Org.Name}

		requests := buildAll(t, b, slots)
		ownerBefore := readAsOwner(t, victim)
		rowsBefore := organizationRows(t, e, victim.Org.ID)

		// The attacker is the owner of their organization, then an API token
		// of it: a caller with no user, whose rules read its organization only.
		report := walk(t, attacker.Owner, victim, attacker.Own, requests)
		token, _ := attacker.Owner.CreateAPIToken(t, attacker.Org, e.RoleID(t, attacker.Org, rbac.Admin))
		walk(t, token, victim, attacker.Own, requests).log(t)

		rowsAfter := organizationRows(t, e, victim.Org.ID)
		for _, typ := range sortedKeys(rowsBefore) {
			if !reflect.DeepEqual(rowsAfter[typ], rowsBefore[typ]) {
				t.Errorf("the victim's %s rows changed during the walk:\nbefore %s\nafter  %s", typ, jsonOf(rowsBefore[typ]), jsonOf(rowsAfter[typ]))
			}
		}
		if after := readAsOwner(t, victim); after != ownerBefore {
			t.Errorf("the victim's owner sees a changed organization:\nbefore %s\nafter  %s", ownerBefore, after)
		}
		report.log(t)
	})
}

// buildAll builds the requests of every slot, failing loudly on a slot the
// builder cannot handle rather than skipping it.
func buildAll(t *testing.T, b *builder, slots []slot) []request {
	t.Helper()
	var out []request
	for _, s := range slots {
		rs, err := b.build(s)
		if err != nil {
			t.Errorf("cannot build a request for %v", err)
			continue
		}
		for _, r := range rs {
			if _, errs := gqlparser.LoadQuery(b.schema, r.Query); len(errs) > 0 {
				t.Errorf("%s: built an invalid document %s: %v", s, r.Query, errs)
			}
		}
		out = append(out, rs...)
	}
	if len(slots) < minSlots {
		t.Errorf("the walk found %d ID slots, want at least %d", len(slots), minSlots)
	}
	return out
}

// walk sends every request once per victim ID and once with a random ID of
// the same prefix, and checks the two answers.
func walk(t *testing.T, attacker *testkit.Client, victim *tenant, own map[string]string, requests []request) *report {
	t.Helper()
	rep := &report{outcomes: map[string]map[string]int{}}
	var counts []string
	for _, typ := range sortedKeys(victim.IDs) {
		counts = append(counts, fmt.Sprintf("%s %d", typ, len(victim.IDs[typ])))
	}
	t.Logf("victim IDs tried in every slot: %s", strings.Join(counts, ", "))
	for _, r := range requests {
		name := r.Slot.String()
		if r.Others != "" {
			name += " [other IDs: " + r.Others + "]"
		}
		rep.names = append(rep.names, name)
		if r.Slot.Operation == "query" {
			controlQuery(t, rep, attacker, own, r, name)
		}
		for _, typ := range sortedKeys(victim.IDs) {
			for _, victimID := range victim.IDs[typ] {
				randomID := id.New(id.Prefix(victimID))
				send := attacker.Do
				if r.Slot.Operation == "subscription" {
					send = attacker.Subscribe // over Server-Sent Events
				}
				got := send(t, r.Query, r.Vars(victimID))
				want := send(t, r.Query, r.Vars(randomID))
				rep.count(name, outcome(want))
				check(t, rep, r, name, typ, victimID, randomID, got, want, victim.Markers)
			}
		}
	}
	return rep
}

// check compares the answer to the victim's ID (got) with the answer to a
// random ID (want).
func check(t *testing.T, rep *report, r request, name, typ, victimID, randomID string, got, want *testkit.Response, markers []string) {
	t.Helper()
	g, w := normalise(got, victimID), normalise(want, randomID)
	for _, resp := range []*testkit.Response{got, want} {
		if !executed(resp) {
			rep.differ(t, fmt.Sprintf("%s is malformed, no resolver ran: %s\n  %s", name, resp.Body, r.Query))
			return
		}
	}
	switch {
	case g != w:
		rep.differ(t, fmt.Sprintf("%s with the victim's %s %s answers differently from a random ID:\n  victim's: %s\n  random:   %s",
			name, typ, victimID, g, w))
	case leaked(g, markers) != "":
		rep.differ(t, fmt.Sprintf("%s with the victim's %s %s shows the victim's %q: %s", name, typ, victimID, leaked(g, markers), g))
	}
	// node and nodes: NOT_FOUND or null, whatever the type of the ID.
	if r.Slot.Field.Type.Name() == "Node" && !allNull(rootValue(got, r.Slot.Field.Name)) {
		rep.differ(t, fmt.Sprintf("%s with the victim's %s %s returns an object: %s", name, typ, victimID, g))
	}
	if r.Slot.Field.Name == "node" && outcome(got) != "NOT_FOUND" {
		rep.differ(t, fmt.Sprintf("%s with the victim's %s %s: want NOT_FOUND, got %s", name, typ, victimID, g))
	}
}

// controlQuery shows that a query request reaches the data: with the
// attacker's own ID of the slot's type (every type when the schema does not
// tell) it must return an object, unlike with a random ID. Mutations get no
// such control: their own-ID answer would change the attacker's data the
// rest of the walk relies on.
func controlQuery(t *testing.T, rep *report, attacker *testkit.Client, own map[string]string, r request, name string) {
	t.Helper()
	types := sortedKeys(own)
	if r.SlotType != "" {
		types = []string{r.SlotType}
	}
	for _, typ := range types {
		resp := attacker.Do(t, r.Query, r.Vars(own[typ]))
		if outcome(resp) != "OK" || allNull(rootValue(resp, r.Slot.Field.Name)) {
			rep.differ(t, fmt.Sprintf("control: %s with the attacker's own %s %s does not return it: %s", name, typ, own[typ], resp.Body))
		}
	}
}
