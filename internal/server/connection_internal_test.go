package server

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/graph/generated"
)

// Page-size limits and costs find connection fields by their shape. A field
// returning a connection without that shape (first, last, edges, pageInfo)
// would escape both; this fails when one is added.
func TestEveryConnectionFieldIsRecognised(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	found := 0
	for _, typ := range schema.Types {
		if strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			if !strings.HasSuffix(f.Type.Name(), "Connection") {
				continue
			}
			found++
			if !isConnection(schema, f) {
				t.Errorf("%s.%s returns %s but is not a Relay connection field: it gets no page-size limit and no cost", typ.Name, f.Name, f.Type.Name())
			}
		}
	}
	if found == 0 {
		t.Fatal("no connection fields in the schema")
	}
}
