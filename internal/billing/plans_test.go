package billing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeCatalog(t *testing.T, json string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(path, []byte(json), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultCatalogIsValid(t *testing.T) {
	c := DefaultCatalog()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := c.Plan(Free); *p.Limits.Projects != 3 || p.PricePerMonthCents == nil || *p.PricePerMonthCents != 0 {
		t.Fatalf("FREE: %+v", p)
	}
	if p := c.Plan(Enterprise); p.PricePerMonthCents != nil || p.Limits.Members != nil {
		t.Fatalf("ENTERPRISE is sold by quote and unlimited: %+v", p)
	}
}

func TestLoadCatalog(t *testing.T) {
	path := writeCatalog(t, `[
		{"code": "FREE", "name": "Hobby", "pricePerMonthCents": 0, "currency": "EUR",
		 "limits": {"members": 2, "projects": 1, "clusters": 0, "auditLogRetentionDays": 3}},
		{"code": "TEAM", "name": "Team", "pricePerMonthCents": 1000, "currency": "EUR",
		 "limits": {"members": 10, "projects": 10, "clusters": 2, "auditLogRetentionDays": 14}},
		{"code": "ENTERPRISE", "name": "Enterprise", "currency": "EUR", "limits": {"auditLogRetentionDays": 400}}
	]`)
	c, err := LoadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	free := c.Plan(Free)
	if free.Name != "Hobby" || free.Currency != "EUR" || *free.Limits.Members != 2 || *free.Limits.Projects != 1 ||
		*free.Limits.Clusters != 0 || free.Limits.AuditLogRetentionDays != 3 {
		t.Fatalf("FREE: %+v", free)
	}
	if e := c.Plan(Enterprise); e.PricePerMonthCents != nil || e.Limits.Projects != nil || e.Limits.AuditLogRetentionDays != 400 {
		t.Fatalf("ENTERPRISE: %+v", e)
	}
	if got := free.Exceeded(Usage{Members: 1, Projects: 2}); got != LimitProjects {
		t.Fatalf("the loaded limits are not the ones checked: %q", got)
	}
}

func TestLoadCatalogRefusesABadCatalog(t *testing.T) {
	plan := func(code string) string {
		return `{"code": "` + code + `", "name": "` + code + `", "currency": "USD", "limits": {"auditLogRetentionDays": 1}}`
	}
	cases := map[string]struct{ json, want string }{
		"missing plan":   {`[` + plan("FREE") + `,` + plan("TEAM") + `]`, "ENTERPRISE missing"},
		"duplicate plan": {`[` + plan("FREE") + `,` + plan("TEAM") + `,` + plan("TEAM") + `,` + plan("ENTERPRISE") + `]`, "TEAM listed twice"},
		"unknown plan":   {`[` + plan("FREE") + `,` + plan("TEAM") + `,` + plan("ENTERPRISE") + `,` + plan("GOLD") + `]`, `"GOLD" is not a plan code`},
		"not JSON":       {`{`, "parse plan catalog"},
		"negative limit": {`[` + plan("FREE") + `,` + plan("TEAM") + `,` + `{"code": "ENTERPRISE", "name": "E", "currency": "USD", "limits": {"projects": -1}}]`, "ENTERPRISE: negative projects limit"},
		"no name":        {`[` + plan("FREE") + `,` + plan("TEAM") + `,` + `{"code": "ENTERPRISE", "currency": "USD", "limits": {}}]`, "ENTERPRISE: name missing"},
	}
	for name, c := range cases {
		_, err := LoadCatalog(writeCatalog(t, c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error containing %q, got %v", name, c.want, err)
		}
	}
	if _, err := LoadCatalog(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Errorf("a missing file was accepted")
	}
}
