package rbac

import "testing"

func TestCanGrant(t *testing.T) {
	all := append(append([]Kind(nil), BuiltIn...), Custom)
	// want[granter] lists the kinds granter may grant; every other pair is refused.
	want := map[Kind][]Kind{
		Owner:   {Admin, DevOps, Billing, Viewer, Custom},
		Admin:   {Admin, DevOps, Billing, Viewer, Custom},
		DevOps:  {DevOps, Viewer, Custom},
		Billing: {Billing},
		Viewer:  {Viewer},
		Custom:  {},
	}
	for _, granter := range all {
		for _, granted := range all {
			allowed := false
			for _, k := range want[granter] {
				allowed = allowed || k == granted
			}
			if got := CanGrant(granter, granted); got != allowed {
				t.Errorf("CanGrant(%s, %s) = %v, want %v", granter, granted, got, allowed)
			}
		}
	}
}
