package roles

import (
	"context"
	"fmt"
	"sort"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/validate"
)

// List returns organization orgID's roles: built-in first, then custom ones by name.
func (s *Service) List(ctx context.Context, orgID string) ([]*ent.Role, error) {
	list, err := database.Client(ctx, s.Client).Role.Query().Where(role.OrganizationID(orgID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := builtInRank(a.Kind), builtInRank(b.Kind); ra != rb {
			return ra < rb
		}
		if ka, kb := validate.FoldName(a.Name), validate.FoldName(b.Name); ka != kb {
			return ka < kb
		}
		return a.ID < b.ID
	})
	return list, nil
}

// builtInRank is k's place in rbac.BuiltIn; custom roles come after every built-in one.
func builtInRank(k rbac.Kind) int {
	for i, b := range rbac.BuiltIn {
		if b == k {
			return i
		}
	}
	return len(rbac.BuiltIn)
}
