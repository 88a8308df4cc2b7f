package billing

import (
	"fmt"
	"math"
	"time"
)

// A billing period is one calendar month from the organization's first
// billing day; an invoice covers one period, with a line per plan the
// organization was on during it.

// PeriodEnd is the end of the period that starts at start.
func PeriodEnd(start time.Time) time.Time { return start.AddDate(0, 1, 0) }

// Segment is the line of plan p from from to to, within the period
// [periodStart, periodEnd): the plan's monthly price in proportion to the
// part of the period, a proration when it is not the whole period. ok is
// false when there is nothing to charge (a free plan, a plan sold by quote,
// an empty segment).
func Segment(p Plan, from, to, periodStart, periodEnd time.Time) (line Line, ok bool) {
	if p.PricePerMonthCents == nil || *p.PricePerMonthCents == 0 || !to.After(from) {
		return Line{}, false
	}
	whole := from.Equal(periodStart) && to.Equal(periodEnd)
	amount := *p.PricePerMonthCents
	desc := fmt.Sprintf("%s plan, %s to %s", p.Name, Day(from), Day(to))
	if !whole {
		share := float64(to.Sub(from)) / float64(periodEnd.Sub(periodStart))
		amount = int(math.Round(float64(amount) * share))
		desc = fmt.Sprintf("%s plan (prorated), %s to %s", p.Name, Day(from), Day(to))
	}
	return Line{Description: desc, AmountCents: amount, PeriodStart: from, PeriodEnd: to, Proration: !whole}, true
}

// Total adds up lines.
func Total(lines []Line) int {
	t := 0
	for _, l := range lines {
		t += l.AmountCents
	}
	return t
}

// Day writes t as invoices do: 2026-12-02.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// Money writes cents in currency as invoices do: 199.33 USD.
func Money(cents int, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, cents/100, cents%100, currency)
}
