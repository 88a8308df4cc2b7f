package groups

import (
	"context"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/labelsgroup"
	"github.com/orgql/orgql/internal/apperr"
)

// CheckLabelsGroupIDs checks the labels groups a cluster of organization
// orgID is given, whose list is at path (input.labelsGroupIDs): each must be
// a labels group of that organization, listed once. An ID of another
// organization answers like an ID that does not exist, even to a member of
// both: a cluster only uses its own organization's groups.
func CheckLabelsGroupIDs(ctx context.Context, client *ent.Client, orgID, path string, ids []string) error {
	first := map[string]int{}
	for i, id := range ids {
		if j, dup := first[id]; dup {
			return apperr.BadInput(fmt.Sprintf("%s.%d", path, i), "%s.%d repeats %s.%d", path, i, path, j)
		}
		first[id] = i
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := client.LabelsGroup.Query().
		Where(labelsgroup.OrganizationID(orgID), labelsgroup.IDIn(ids...)).
		IDs(ctx)
	if err != nil {
		return fmt.Errorf("load labels groups: %w", err)
	}
	known := make(map[string]bool, len(found))
	for _, id := range found {
		known[id] = true
	}
	for i, id := range ids {
		if !known[id] {
			field := fmt.Sprintf("%s.%d", path, i)
			return apperr.BadInput(field, "%s is not a labels group of the organization", field)
		}
	}
	return nil
}
