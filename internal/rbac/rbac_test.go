package rbac

import (
	"bytes"
	"slices"
	"testing"
)

func TestIsReservedName(t *testing.T) {
	for _, name := range []string{"owner", "OWNER", "Admin", "devops", "DevOps", "billing", "Billing Manager", "billing manager", "viewer", " Viewer "} {
		if !IsReservedName(name) {
			t.Errorf("%q should be reserved", name)
		}
	}
	for _, name := range []string{"Ops", "Owners", "custom", "CUSTOM", "Billing team", ""} {
		if IsReservedName(name) {
			t.Errorf("%q should not be reserved", name)
		}
	}
}

func TestKindsWithAgreesWithCan(t *testing.T) {
	for _, c := range Capabilities {
		for _, k := range append(slices.Clone(BuiltIn), Custom) {
			if Can(k, c) != slices.Contains(KindsWith(c), k) {
				t.Errorf("KindsWith(%s) and Can(%s, %s) disagree", c, k, c)
			}
		}
	}
	if len(KindsWith(ReadOrganization)) != len(BuiltIn)+1 {
		t.Errorf("every role reads the organization: %v", KindsWith(ReadOrganization))
	}
}

func TestCapabilitiesOfIsACopy(t *testing.T) {
	caps := CapabilitiesOf(Viewer)
	caps[0] = DeleteOrganization
	if Can(Viewer, DeleteOrganization) {
		t.Fatal("changing CapabilitiesOf's result changed the table")
	}
}

// TestProjectAndClusterAccess writes out the role matrix's per-project row and the
// cluster permission each built-in role implies.
func TestProjectAndClusterAccess(t *testing.T) {
	want := map[Kind]struct {
		full    bool
		perm    ProjectPermission
		seesAll bool
		cluster ClusterPermission
	}{
		Owner:   {true, Manager, true, ClusterAdmin},
		Admin:   {true, Manager, true, ClusterAdmin},
		DevOps:  {true, Manager, true, ClusterAdmin},
		Billing: {false, NoAccess, false, ClusterViewer},
		Viewer:  {false, Viewing, true, ClusterViewer},
	}
	for _, k := range BuiltIn {
		w := want[k]
		full, perm := BuiltInProjectAccess(k)
		if full != w.full || perm != w.perm || SeesAllProjects(k) != w.seesAll || BuiltInClusterPermission(k) != w.cluster {
			t.Errorf("%s: full=%v perm=%s seesAll=%v cluster=%s", k, full, perm, SeesAllProjects(k), BuiltInClusterPermission(k))
		}
	}
}

func TestPermissionRanks(t *testing.T) {
	if !(NoAccess.Rank() < Viewing.Rank() && Viewing.Rank() < Deployer.Rank() && Deployer.Rank() < Manager.Rank()) {
		t.Error("project permissions are not ordered NO_ACCESS < VIEWER < DEPLOYER < MANAGER")
	}
	if !(ClusterViewer.Rank() < ClusterEnvCreator.Rank() && ClusterEnvCreator.Rank() < ClusterAdmin.Rank()) {
		t.Error("cluster permissions are not ordered VIEWER < ENV_CREATOR < ADMIN")
	}
	if ProjectPermission("OWNER").Rank() != -1 || ClusterPermission("NONE").Rank() != -1 {
		t.Error("an unknown permission has a rank")
	}
	if DefaultProjectPermission != NoAccess || DefaultClusterPermission != ClusterViewer || FullAccessPermission != Manager {
		t.Error("defaults differ from the role matrix: project NO_ACCESS, cluster VIEWER, full access MANAGER")
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	var e EnvironmentType
	if err := e.UnmarshalGQL("STAGING"); err != nil || e != Staging {
		t.Errorf("EnvironmentType: %v %v", e, err)
	}
	var p ProjectPermission
	if err := p.UnmarshalGQL("ADMIN"); err == nil {
		t.Error("ADMIN accepted as a project permission")
	}
	var c ClusterPermission
	if err := c.UnmarshalGQL("ENV_CREATOR"); err != nil || c != ClusterEnvCreator {
		t.Errorf("ClusterPermission: %v %v", c, err)
	}
	var capability Capability
	if err := capability.UnmarshalGQL(42); err == nil {
		t.Error("a number accepted as a capability")
	}
	var buf bytes.Buffer
	Manager.MarshalGQL(&buf)
	if buf.String() != `"MANAGER"` {
		t.Errorf("MarshalGQL = %s", buf.String())
	}
}
