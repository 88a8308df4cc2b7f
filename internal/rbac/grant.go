package rbac

// CanGrant reports whether a member whose role is of kind granter may give
// someone a role of kind granted (by invitation or role change). OWNER is
// never granted: ownership moves only by transfer. Any other role may be
// granted only when it holds no capability, and no project or cluster
// access, that the granter lacks. A custom role's access is whatever its
// definition says, so only a granter with full access grants one.
func CanGrant(granter, granted Kind) bool {
	if granted == Owner {
		return false
	}
	for _, c := range table[granted] {
		if !Can(granter, c) {
			return false
		}
	}
	return projectAccessWithin(granted, granter) && clusterAccessWithin(granted, granter)
}

func projectAccessWithin(granted, granter Kind) bool {
	granterFull, granterPerm := BuiltInProjectAccess(granter)
	if granterFull {
		return true
	}
	if granted == Custom {
		return false
	}
	full, perm := BuiltInProjectAccess(granted)
	return !full && perm.Rank() <= granterPerm.Rank()
}

func clusterAccessWithin(granted, granter Kind) bool {
	max := BuiltInClusterPermission(granter)
	if granted == Custom {
		return max == ClusterPermissions[len(ClusterPermissions)-1]
	}
	return BuiltInClusterPermission(granted).Rank() <= max.Rank()
}
