package groups_test

import (
	"slices"
	"testing"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/kubemeta"
)

// The GraphQL enum AnnotationScope is kubemeta's list of scopes, value for
// value and in the same order: the two are written in two places.
func TestAnnotationScopeIsKubemetasList(t *testing.T) {
	def := generated.NewExecutableSchema(generated.Config{}).Schema().Types["AnnotationScope"]
	if def == nil {
		t.Fatal("no AnnotationScope in the schema")
	}
	var inSchema, inGo []string
	for _, v := range def.EnumValues {
		inSchema = append(inSchema, v.Name)
	}
	for _, s := range kubemeta.Scopes {
		inGo = append(inGo, string(s))
	}
	if !slices.Equal(inSchema, inGo) {
		t.Fatalf("AnnotationScope is %v, kubemeta.Scopes %v", inSchema, inGo)
	}
}
