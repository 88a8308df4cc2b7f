package graph_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/credentials"
)

// allowed are the output fields that look like secrets but are not: the
// one place a token's value is shown (createAPIToken's payload, once), a
// token's last four characters, and the names (not values) of stored secrets.
var allowed = map[string]bool{
	"CreateAPITokenPayload.token":  true,
	"APIToken.tokenHint":           true,
	"ContainerRegistry.secretsSet": true,
	"HelmRepository.secretsSet":    true,
	// WORKLOAD_IDENTITY_FEDERATION or null: which kind of credentials, not one.
	"RegistryConfig.gcpCredentialsType": true,
}

var secretLike = regexp.MustCompile(`(?i)password|secret|token|credential|private.?key`)

// No output type has a field that could return a stored secret or a token
// value: none is named like a field the ent schema marks Sensitive or a
// secret setting of the credential catalog, and no string field is named
// like a secret, but for the allow-list above.
func TestNoOutputFieldReturnsASecret(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	forbidden := map[string]bool{}
	for _, fields := range ent.Fields {
		for _, f := range fields {
			if f.Sensitive {
				forbidden[f.GraphQL] = true
			}
		}
	}
	for _, catalog := range [][]credentials.Kind{credentials.RegistryKinds, credentials.HelmKinds} {
		for _, k := range catalog {
			for _, s := range k.Fields {
				if s.Secret {
					forbidden[s.Name] = true
				}
			}
		}
	}
	if !forbidden["password"] || !forbidden["tokenHash"] || !forbidden["secrets"] {
		t.Fatalf("the forbidden names are incomplete: %v", forbidden)
	}
	checked := 0
	for _, def := range schema.Types {
		if def.BuiltIn || (def.Kind != ast.Object && def.Kind != ast.Interface) || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			name := def.Name + "." + f.Name
			checked++
			if allowed[name] {
				continue
			}
			if forbidden[f.Name] {
				t.Errorf("%s could return a stored secret", name)
			}
			if f.Type.Name() == "String" && secretLike.MatchString(f.Name) {
				t.Errorf("%s is a string named like a secret", name)
			}
		}
	}
	t.Logf("checked %d output fields", checked)
}
