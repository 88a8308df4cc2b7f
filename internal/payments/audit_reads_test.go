package payments_test

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// A DEVOPS member may not read billing information, so the audit log (and the
// subscription, which reads through the same rule) does not hand its events
// over; the owner still reads them (docs/permissions.md).
func TestAuditLogShowsBillingOnlyToBillingReaders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": frenchInfo()}).OK(t, nil)
		addCard(t, alice, org, "tok_visa")
		devops := e.SignIn(t, "devops")
		e.AddMember(t, org, devops, rbac.DevOps)
		devops.Do(t, billingDoc, map[string]any{"id": org.ID}).Err(t, "FORBIDDEN")
		r := devops.Do(t, `query($id: ID!) { node(id: $id) { ... on Organization { auditEvents(first: 100) { edges { node { targetType targetName change } } } } } }`, map[string]any{"id": org.ID})
		body := string(r.Body)
		if strings.Contains(body, "rue de Rivoli") || strings.Contains(body, "billing@example.com") || strings.Contains(body, "4242") {
			t.Fatalf("DEVOPS reads billing data in the audit log: %s", body)
		}
		owner := string(alice.Do(t, `query($id: ID!) { node(id: $id) { ... on Organization { auditEvents(first: 100) { edges { node { targetType targetName } } } } } }`, map[string]any{"id": org.ID}).Body)
		if !strings.Contains(owner, "BILLING_INFO") || !strings.Contains(owner, "4242") {
			t.Fatalf("the owner does not read the billing events: %s", owner)
		}
		if !strings.Contains(body, "ORGANIZATION") {
			t.Fatalf("DEVOPS reads no event at all: %s", body)
		}
	})
}
