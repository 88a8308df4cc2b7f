package sdl_test

import (
	"os"
	"strings"
	"testing"

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/sdl"
)

// docs/schema.graphql is the schema the server serves, as clients see it:
// what codegen tools read without introspection. go generate writes it.
func TestCommittedSDLIsTheServedSchema(t *testing.T) {
	committed, err := os.ReadFile("../../docs/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	served := sdl.Print(graph.NewExecutableSchema(nil).Schema())
	if string(committed) != served {
		t.Fatal("docs/schema.graphql is not the served schema: run go generate ./...")
	}
	for _, internal := range []string{"@goModel", "@goField", "@goTag", "directive @defer"} {
		if strings.Contains(served, internal) {
			t.Errorf("the printed schema shows %s", internal)
		}
	}
	for _, want := range []string{"type Query", "type Mutation", "type Viewer", "createOrganization"} {
		if !strings.Contains(served, want) {
			t.Errorf("the printed schema lacks %s", want)
		}
	}
}
