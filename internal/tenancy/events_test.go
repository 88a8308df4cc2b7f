package tenancy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

// EventReadable, which live subscriptions filter the events they have
// read with, answers as the data layer's rule does: for every role kind and
// every target type, an event is readable exactly when a caller with that
// role reads it from the table; and no caller of one organization reads
// another's.
func TestEventReadableIsTheAuditLogRule(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		sys := testkit.System(context.Background())
		c := e.DB.Client
		org := e.SignIn(t, "alice").CreateOrg(t)
		other := e.SignIn(t, "olga").CreateOrg(t)
		seq := int64(1 << 40) // after every event the organizations' creation wrote
		for _, o := range []string{org.ID, other.ID} {
			for target := range rbac.EventTargets {
				seq++
				c.OrganizationEvent.Create().SetOrganizationID(o).SetType(organizationevent.TypeUPDATE).
					SetTargetType(organizationevent.TargetType(target)).SetTargetID("x").SetTargetName("x").
					SetActorType(organizationevent.ActorTypeSYSTEM).SetSequence(seq).ExecX(sys)
			}
		}
		for _, k := range rbac.Kinds() {
			ctx := viewer.NewContext(context.Background(), viewer.NewAPIToken(viewer.Token{ID: "tok_x", OrganizationID: org.ID, RoleKind: k}, "t"))
			evs, err := c.OrganizationEvent.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var read, want []string
			for _, ev := range evs {
				if ev.OrganizationID != org.ID {
					t.Fatalf("%s reads another organization's event", k)
				}
				if ev.TargetID == "x" && !slices.Contains(read, string(ev.TargetType)) {
					read = append(read, string(ev.TargetType))
				}
			}
			for target := range rbac.EventTargets {
				if rbac.Can(k, rbac.ReadAuditLog) && tenancy.EventReadable(k, target) {
					want = append(want, target)
				}
			}
			slices.Sort(read)
			slices.Sort(want)
			if !slices.Equal(read, want) {
				t.Errorf("%s: the table gives %v, EventReadable %v", k, read, want)
			}
		}
	})
}
