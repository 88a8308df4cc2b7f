package ledger

import (
	"bytes"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/billing"
)

func sampleDocument() billing.Document {
	start := time.Date(2026, time.January, 10, 0, 0, 0, 0, time.UTC)
	return billing.Document{Number: "ABCD1234-0001", OrganizationName: "Société Générale d'Été", Status: billing.InvoicePaid,
		Currency: "EUR", TotalCents: 20255, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), IssuedAt: start.AddDate(0, 1, 0),
		Info:  billing.Info{FirstName: "Zoë", LastName: "(Test)", Company: `Back\slash`, CountryCode: "FR"},
		Lines: []billing.Line{{Description: "Team plan (prorated), 2026-01-20 to 2026-02-10", AmountCents: 20255, Proration: true}}}
}

// Names with accents and PDF's special characters ( ) \ render, in the core
// fonts' encoding and escaped.
func TestRenderEscapesAndEncodes(t *testing.T) {
	pdf, err := Render(sampleDocument())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]byte{[]byte("Soci\xe9t\xe9 G\xe9n\xe9rale d'\xc9t\xe9"), []byte("Zo\xeb \\(Test\\)"), []byte(`Back\\slash`), []byte("202.55 EUR")} {
		if !bytes.Contains(pdf, want) {
			t.Errorf("the PDF does not hold %q", want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	doc := sampleDocument()
	for b.Loop() {
		if _, err := Render(doc); err != nil {
			b.Fatal(err)
		}
	}
}
