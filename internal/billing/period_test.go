package billing

import (
	"testing"
	"time"
)

func TestSegmentProratesByTime(t *testing.T) {
	c := DefaultCatalog()
	start := time.Date(2026, time.February, 1, 0, 0, 0, 0, time.UTC)
	end := PeriodEnd(start) // 28 days
	if !end.Equal(time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("period end %v", end)
	}
	cases := []struct {
		plan         PlanCode
		from, to     time.Time
		amount       int
		ok, prorated bool
	}{
		{Team, start, end, 29900, true, false},
		{Team, start.AddDate(0, 0, 7), end, 22425, true, true},                  // 21 of 28 days
		{Team, start, start.Add(time.Hour), 44, true, true},                     // 1 of 672 hours: 44.49
		{Free, start, end, 0, false, false},                                     // nothing to charge
		{Enterprise, start, end, 0, false, false},                               // by quote
		{Team, start.AddDate(0, 0, 3), start.AddDate(0, 0, 3), 0, false, false}, // empty
	}
	for _, tc := range cases {
		line, ok := Segment(c.Plan(tc.plan), tc.from, tc.to, start, end)
		if ok != tc.ok || (ok && (line.AmountCents != tc.amount || line.Proration != tc.prorated)) {
			t.Errorf("%s %v-%v: %+v %v", tc.plan, tc.from, tc.to, line, ok)
		}
	}
	if Total([]Line{{AmountCents: 20255}, {AmountCents: -100}}) != 20155 {
		t.Fatal("Total")
	}
	if Money(20255, "USD") != "202.55 USD" || Money(-5, "EUR") != "-0.05 EUR" {
		t.Fatal("Money")
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, time.June, 15, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		month, year int
		want        bool
	}{{6, 2026, false}, {5, 2026, true}, {12, 2025, true}, {1, 2027, false}} {
		if got := Expired(c.month, c.year, now); got != c.want {
			t.Errorf("%d/%d: %v", c.month, c.year, got)
		}
	}
}

func TestCountryCodesAndVATNumbers(t *testing.T) {
	for code, want := range map[string]bool{"US": true, "FR": true, "GB": true, "DE": true, "fr": false, "UK": false, "EU": false,
		"ZZ": false, "XX": false, "USA": false, "": false, "001": false} {
		if got := IsCountryCode(code); got != want {
			t.Errorf("IsCountryCode(%q) = %v", code, got)
		}
	}
	for _, c := range []struct {
		country, vat string
		want         bool
	}{{"FR", "FR12345678901", true}, {"FR", "FRAB345678901", true}, {"FR", "FR1234567890", false}, {"GR", "EL123456789", true},
		{"GR", "GR123456789", false}, {"DE", "DE12345678", false}, {"AT", "ATU12345678", true}, {"US", "12-3456789", false}, {"US", "123456789", true}} {
		if got := ValidVATNumber(c.country, c.vat); got != c.want {
			t.Errorf("ValidVATNumber(%s, %s) = %v", c.country, c.vat, got)
		}
	}
}
