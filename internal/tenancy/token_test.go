package tenancy_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

// visibleRows returns, for every ent type, the IDs the caller of ctx reads.
func visibleRows(t *testing.T, e *testkit.Env, ctx context.Context) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, c := range entityClients(e.DB.Client) {
		res := call(call(c, "Query")[0], "IDs", reflect.ValueOf(ctx))
		if err := errOf(res); err != nil {
			if name == "Session" || name == "OAuthState" || name == "ProcessedWebhookEvent" || name == "EventSequence" || name == "RateLimitCounter" { // no caller reads these: the system's own
				continue
			}
			t.Fatalf("%s: %v", name, err)
		}
		ids := res[0].Interface().([]string)
		sort.Strings(ids)
		out[name] = ids
	}
	return out
}

// An API-token caller (no user; one organization, one role) reads, through
// every rule of the data layer, exactly what a member with the same role
// reads in that organization, and nothing of any other organization. The
// rules know nothing of where the caller comes from: this is the caller
// the settings' API tokens authenticate as.
func TestAPITokenCallerReadsWhatItsRoleReadsInItsOrganization(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		a := populate(t, e, alice)
		other := populate(t, e, e.SignIn(t, "olga"))
		sys := testkit.System(context.Background())
		c := e.DB.Client
		// The custom role sees the project it is granted.
		c.RoleProjectPermission.Create().SetOrganizationID(a.Org.ID).SetRoleID(a.IDs[id.Role]).
			SetProjectID(a.IDs[id.Project]).SetFullAccess(true).ExecX(sys)

		roles := c.Role.Query().Where(role.OrganizationID(a.Org.ID)).AllX(sys)
		if len(roles) != len(rbac.BuiltIn)+1 {
			t.Fatalf("fixture has %d roles", len(roles))
		}
		for _, r := range roles {
			if r.Kind == rbac.Owner {
				continue // the owner's membership is alice's; a token never holds OWNER
			}
			member := e.SignIn(t, "member")
			e.AddMemberWithRole(t, a.Org, member, r.ID)
			asMember := as(t, e, member)
			asToken := viewer.NewContext(context.Background(), viewer.NewAPIToken(viewer.Token{
				ID: id.New("tok"), OrganizationID: a.Org.ID, RoleID: r.ID, RoleKind: r.Kind,
			}, "ci token"))

			memberSees, tokenSees := visibleRows(t, e, asMember), visibleRows(t, e, asToken)
			// The member sees their own membership and user row; the token has neither.
			for typ, ids := range tokenSees {
				want := without(memberSees[typ], memberRows(t, e, a.Org, member)...)
				got := without(ids, memberRows(t, e, a.Org, member)...)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s token reads %s %v, a %s member reads %v", r.Kind, typ, got, r.Kind, want)
				}
				for _, theirs := range other.IDs {
					for _, seen := range ids {
						if seen == theirs {
							t.Errorf("%s token reads %s %s of another organization", r.Kind, typ, seen)
						}
					}
				}
			}
			// Writes: what its role allows in its organization, nothing elsewhere.
			for typ, obj := range rbac.Objects {
				if obj.Write == "" {
					continue
				}
				err := tenancy.AuthorizeWrite(asToken, c, typ, a.Org.ID)
				if rbac.Can(r.Kind, obj.Write) != (err == nil) || (err != nil && !errors.Is(err, apperr.ErrForbidden)) {
					t.Errorf("%s token writing %s in its organization: %v", r.Kind, typ, err)
				}
				if err := tenancy.AuthorizeWrite(asToken, c, typ, other.Org.ID); !errors.Is(err, apperr.ErrNotFound) {
					t.Errorf("%s token writing %s in another organization: want NOT_FOUND, got %v", r.Kind, typ, err)
				}
			}
			if r.Kind == rbac.Custom && len(tokenSees["Project"]) != 1 {
				t.Errorf("custom-role token reads projects %v, want the one granted", tokenSees["Project"])
			}
			if r.Kind == rbac.Billing && len(tokenSees["Project"]) != 0 {
				t.Errorf("billing token reads projects %v, want none", tokenSees["Project"])
			}
		}
	})
}

// memberRows are the rows that exist only because member is a member: their membership and user.
func memberRows(t *testing.T, e *testkit.Env, org testkit.Org, member *testkit.Client) []string {
	t.Helper()
	u := as(t, e, member)
	return []string{e.MembershipID(t, org, member), viewer.FromContext(u).UserID}
}

func without(ids []string, drop ...string) []string {
	out := []string{}
	for _, s := range ids {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}
