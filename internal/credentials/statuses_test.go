package credentials_test

import (
	"slices"
	"testing"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/credcheck"
	"github.com/orgql/orgql/internal/credentials"
)

// The GraphQL enum CredentialCheckStatus holds every status credcheck
// answers, and SECRET_UNREADABLE: a status missing from the enum would fail
// the check mutation's answer.
func TestCredentialCheckStatusHoldsEveryStatus(t *testing.T) {
	def := generated.NewExecutableSchema(generated.Config{}).Schema().Types["CredentialCheckStatus"]
	if def == nil {
		t.Fatal("no CredentialCheckStatus in the schema")
	}
	var inSchema, inGo []string
	for _, v := range def.EnumValues {
		inSchema = append(inSchema, v.Name)
	}
	for _, s := range credentials.CheckStatuses {
		inGo = append(inGo, string(s))
	}
	if !slices.Equal(inSchema, inGo) {
		t.Fatalf("CredentialCheckStatus is %v, credentials.CheckStatuses %v", inSchema, inGo)
	}
	for _, s := range credcheck.Statuses {
		if !slices.Contains(inGo, string(s)) {
			t.Errorf("credcheck's %s is not a CredentialCheckStatus", s)
		}
	}
}
