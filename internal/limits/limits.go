// Package limits is the one check of plan limits against what an
// organization uses: members (with pending invitations), projects, clusters.
package limits

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/cluster"
	"github.com/orgql/orgql/ent/invitation"
	"github.com/orgql/orgql/ent/membership"
	"github.com/orgql/orgql/ent/project"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/tenancy"
)

// Usage counts what organization orgID uses. It counts every row, whatever
// the caller may see, so it runs in the system context.
func Usage(ctx context.Context, client *ent.Client, orgID string) (billing.Usage, error) {
	return count(ctx, client, orgID, all)
}

// all asks count for every part of the usage.
var all = billing.Usage{Members: 1, Projects: 1, Clusters: 1}

// count counts the parts of organization orgID's usage that which has non-zero.
func count(ctx context.Context, client *ent.Client, orgID string, which billing.Usage) (billing.Usage, error) {
	ctx = tenancy.AsSystem(ctx, tenancy.CountUsage)
	var u billing.Usage
	var err error
	if which.Members != 0 {
		if u.Members, err = client.Membership.Query().Where(membership.OrganizationID(orgID)).Count(ctx); err != nil {
			return u, fmt.Errorf("count members: %w", err)
		}
		pending, err := client.Invitation.Query().
			Where(invitation.OrganizationID(orgID), invitation.StatusEQ(invitation.StatusPENDING), invitation.ExpiresAtGT(time.Now())).
			Count(ctx)
		if err != nil {
			return u, fmt.Errorf("count pending invitations: %w", err)
		}
		u.Members += pending
	}
	if which.Projects != 0 {
		if u.Projects, err = client.Project.Query().Where(project.OrganizationID(orgID)).Count(ctx); err != nil {
			return u, fmt.Errorf("count projects: %w", err)
		}
	}
	if which.Clusters != 0 {
		if u.Clusters, err = client.Cluster.Query().Where(cluster.OrganizationID(orgID)).Count(ctx); err != nil {
			return u, fmt.Errorf("count clusters: %w", err)
		}
	}
	return u, nil
}

// CheckAdded is Check for rows already added, in the caller's transaction
// with the organization locked: PLAN_LIMIT_EXCEEDED when adding the rows of
// added put the organization over a limit they count toward. Saving first
// lets the input's own errors come before the limit's.
func CheckAdded(ctx context.Context, client *ent.Client, plan billing.Plan, orgID string, added billing.Usage) error {
	return check(ctx, client, plan, orgID, added, billing.Usage{})
}

// Check returns PLAN_LIMIT_EXCEEDED, naming the limit, when organization
// orgID on plan would be over a limit after adding delta to its usage; with a
// zero delta (a plan change) it checks every limit. Callers check inside the
// transaction that adds the rows, after database.LockOrganization.
func Check(ctx context.Context, client *ent.Client, plan billing.Plan, orgID string, delta billing.Usage) error {
	return check(ctx, client, plan, orgID, delta, delta)
}

// check compares usage plus extra with plan's limits: only the limits
// counted touches when it is not zero. Adding something is checked only
// against the limits it counts toward: an organization already over another
// limit (say, after the catalog changed) may still add what that limit does
// not count.
func check(ctx context.Context, client *ent.Client, plan billing.Plan, orgID string, counted, extra billing.Usage) error {
	if counted == (billing.Usage{}) {
		counted = all
	}
	u, err := count(ctx, client, orgID, counted)
	if err != nil {
		return err
	}
	u.Members += extra.Members
	u.Projects += extra.Projects
	u.Clusters += extra.Clusters
	if name := plan.Exceeded(u); name != "" {
		return apperr.PlanLimit(name, "the %s plan allows at most %d %s", plan.Name, *plan.LimitValue(name), name)
	}
	return nil
}
