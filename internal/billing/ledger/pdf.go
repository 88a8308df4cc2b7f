package ledger

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/orgql/orgql/internal/billing"
)

// Render writes invoice doc as a one-page PDF: the organization's billing
// information, the period, a line per plan segment and the total. Its
// content streams are left uncompressed (the document is small), so its
// text can be read back with any PDF reader or a plain search.
func Render(doc billing.Document) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCreationDate(doc.IssuedAt)
	pdf.SetModificationDate(doc.IssuedAt)
	pdf.SetTitle("Invoice "+doc.Number, true)
	pdf.SetProducer("orgql", false)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 to the core fonts' cp1252
	text := func(s string) string { return tr(strings.ToValidUTF8(s, "?")) }
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, text("Invoice "+doc.Number), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, text("Issued "+billing.Day(doc.IssuedAt)+" - Status "+string(doc.Status)), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, text("Period "+billing.Day(doc.PeriodStart)+" to "+billing.Day(doc.PeriodEnd)), "", 1, "L", false, 0, "")
	pdf.Ln(4)

	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, text("Billed to"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range billedTo(doc) {
		pdf.CellFormat(0, 5, text(l), "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(140, 7, "Description", "B", 0, "L", false, 0, "")
	pdf.CellFormat(40, 7, "Amount", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range doc.Lines {
		pdf.CellFormat(140, 7, text(l.Description), "", 0, "L", false, 0, "")
		pdf.CellFormat(40, 7, text(billing.Money(l.AmountCents, doc.Currency)), "", 1, "R", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(140, 8, "Total", "T", 0, "L", false, 0, "")
	pdf.CellFormat(40, 8, text(billing.Money(doc.TotalCents, doc.Currency)), "T", 1, "R", false, 0, "")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render invoice %s: %w", doc.Number, err)
	}
	return buf.Bytes(), nil
}

// billedTo is the invoice's address block: the organization, then its billing information.
func billedTo(doc billing.Document) []string {
	i := doc.Info
	lines := []string{doc.OrganizationName}
	add := func(parts ...string) {
		var kept []string
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			lines = append(lines, strings.Join(kept, " "))
		}
	}
	add(i.Company)
	add(i.FirstName, i.LastName)
	add(i.Address)
	add(i.Zip, i.City, i.State)
	add(i.CountryCode)
	if i.VATNumber != "" {
		add("VAT", i.VATNumber)
	}
	add(i.Email)
	return lines
}
