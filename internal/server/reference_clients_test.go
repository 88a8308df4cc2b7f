package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// referenceClients is where the graphql-ws and graphql-sse npm clients are
// installed (`npm ci` there; .ci/run does it).
const referenceClients = "testdata/reference"

// The reference clients of the two subscription protocols, graphql-ws
// (graphql-transport-ws) and graphql-sse (distinct connections), each
// resume an organization's events from a cursor and get the three changes
// after it, in order, and nothing of another organization's changes made
// between them; a bad credential is refused as each protocol says (4401,
// 401). It needs Node and `npm ci` in testdata/reference: skipped without
// them unless ORGQL_TEST_REQUIRE_REFERENCE_CLIENTS=1 (set by .ci/run).
func TestReferenceClients(t *testing.T) {
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(referenceClients, "node_modules", "graphql-ws")); err != nil || statErr != nil {
		if os.Getenv("ORGQL_TEST_REQUIRE_REFERENCE_CLIENTS") == "1" {
			t.Fatalf("the reference clients are required: node %v, `npm ci` in %s: %v", err, referenceClients, statErr)
		}
		t.Skipf("needs node and `npm ci` in %s (node: %v; clients: %v)", referenceClients, err, statErr)
	}
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
		org, other := alice.CreateOrg(t), bob.CreateOrg(t)
		var page struct {
			Organization struct {
				AuditEvents struct{ Edges []struct{ Cursor string } }
			}
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { auditEvents(first: 1) { edges { cursor } } } }`, map[string]any{"id": org.ID}).OK(t, &page)
		after := page.Organization.AuditEvents.Edges[0].Cursor
		const describe = `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`
		for i := range 3 {
			alice.Do(t, describe, map[string]any{"id": org.ID, "d": fmt.Sprintf("change %d", i)}).OK(t, nil)
			bob.Do(t, describe, map[string]any{"id": other.ID, "d": fmt.Sprintf("bob's %d", i)}).OK(t, nil)
		}

		ts := httptest.NewServer(e.Server)
		defer ts.Close()
		cmd := exec.Command(node, "clients.mjs")
		cmd.Dir = referenceClients
		cmd.Env = append(os.Environ(), "ORGQL_URL="+ts.URL, "ORGQL_AUTH="+alice.Authorization(),
			"ORGQL_ORG="+org.ID, "ORGQL_AFTER="+after, "ORGQL_COUNT=3")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("the reference clients: %v\n%s\n%s", err, out, stderr.String())
		}
		type event struct {
			Type, TargetType string
			Change           map[string]map[string]any
		}
		got := map[string][]event{}
		refused := map[string]any{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var line struct {
				Client  string
				Events  []event
				Refused any
			}
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			if line.Events != nil {
				got[line.Client] = line.Events
			} else {
				refused[line.Client] = line.Refused
			}
		}
		for client, code := range map[string]float64{"graphql-ws": 4401, "graphql-sse": 401} {
			evs := got[client]
			if len(evs) != 3 {
				t.Fatalf("%s got %d events, want 3: %s", client, len(evs), out)
			}
			for i, ev := range evs {
				if ev.Type != "UPDATE" || ev.TargetType != "ORGANIZATION" || ev.Change["description"]["to"] != fmt.Sprintf("change %d", i) {
					t.Errorf("%s event %d: %+v, want the description \"change %d\"", client, i, ev, i)
				}
			}
			if refused[client] != code {
				t.Errorf("%s with a bad credential: %v, want %v", client, refused[client], code)
			}
		}
	})
}
