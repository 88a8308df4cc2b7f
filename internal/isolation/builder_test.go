package isolation_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// toySchema has what the real schema may grow: an ID position whose type its
// name does not tell (targetID), a list of IDs inside an input, and a
// recursive input.
const toySchema = `
interface Node { id: ID! }
type Widget implements Node { id: ID! name: String! }
type Gadget implements Node { id: ID! }
enum Color { RED BLUE }
input Filter { id: ID, and: [Filter!] }
input LinkInput { gadgetIDs: [ID!]!, color: Color!, note: String, filter: Filter }
type Query { node(id: ID!): Node, widget(id: ID!): Widget, plain(name: String!): Int }
type Mutation {
  link(widgetID: ID!, input: LinkInput!): Widget!
  attach(targetID: ID!, gadgetID: ID!): Boolean
  renameWidget(id: ID!, name: String!): Widget!
}
`

func loadToySchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "toy.graphqls", Input: toySchema})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWalkFindsEveryIDSlot(t *testing.T) {
	var got []string
	for _, s := range idSlots(loadToySchema(t)) {
		got = append(got, s.String())
	}
	want := []string{
		"mutation attach(gadgetID)",
		"mutation attach(targetID)",
		"mutation link(input.filter.id)",
		"mutation link(input.gadgetIDs)",
		"mutation link(widgetID)",
		"mutation renameWidget(id)",
		"query node(id)",
		"query widget(id)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("slots:\n got %q\nwant %q", got, want)
	}
}

func TestBuilderMakesValidDocumentsWithTheAttackersOtherIDs(t *testing.T) {
	schema := loadToySchema(t)
	own := map[string]string{"Widget": "wdg_own", "Gadget": "gdg_own"}
	b := &builder{schema: schema, own: own}
	built := map[string][]request{}
	for _, s := range idSlots(schema) {
		rs, err := b.build(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if _, errs := gqlparser.LoadQuery(schema, r.Query); len(errs) > 0 {
				t.Errorf("%s: invalid document %s: %v", s, r.Query, errs)
			}
		}
		built[s.String()] = rs
	}

	link := built["mutation link(input.gadgetIDs)"][0]
	assertVars(t, link, map[string]any{
		"widgetID": "wdg_own",
		"input":    map[string]any{"gadgetIDs": []any{"SLOT"}, "color": "RED"},
	})
	if link.SlotType != "Gadget" {
		t.Errorf("link(input.gadgetIDs) slot type %q, want Gadget", link.SlotType)
	}

	// targetID names no type: one request per attacker ID.
	attach := built["mutation attach(gadgetID)"]
	if len(attach) != len(own) {
		t.Fatalf("attach(gadgetID): %d requests, want one per attacker ID (%d)", len(attach), len(own))
	}
	for _, r := range attach {
		assertVars(t, r, map[string]any{"targetID": own[r.Others], "gadgetID": "SLOT"})
	}

	rename := built["mutation renameWidget(id)"][0]
	if rename.SlotType != "Widget" || rename.Query != `mutation Isolation($id: ID!, $name: String!) { renameWidget(id: $id, name: $name) { __typename id } }` {
		t.Errorf("renameWidget: type %q, document %s", rename.SlotType, rename.Query)
	}
	if node := built["query node(id)"][0]; node.SlotType != "" {
		t.Errorf("node(id) slot type %q, want none", node.SlotType)
	}
}

func assertVars(t *testing.T, r request, want map[string]any) {
	t.Helper()
	got := r.Vars("SLOT")
	// Round-trip want through JSON so numbers and lists compare alike.
	b, _ := json.Marshal(want)
	var w map[string]any
	_ = json.Unmarshal(b, &w)
	if !reflect.DeepEqual(got, w) {
		t.Errorf("%s: variables %v, want %v", r.Slot, got, w)
	}
}
