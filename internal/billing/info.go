package billing

import (
	"regexp"
	"strings"

	"golang.org/x/text/language"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/validate"
)

// Info is an organization's billing information: who invoices are made out to.
type Info struct {
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	Address     string `json:"address"`
	City        string `json:"city"`
	Zip         string `json:"zip"`
	State       string `json:"state"`
	CountryCode string `json:"countryCode"`
	Company     string `json:"company"`
	VATNumber   string `json:"vatNumber"`
}

// Map is the information as an event's change holds it.
func (i Info) Map() map[string]any {
	return map[string]any{
		"firstName": i.FirstName, "lastName": i.LastName, "email": i.Email, "address": i.Address,
		"city": i.City, "zip": i.Zip, "state": i.State, "countryCode": i.CountryCode,
		"company": i.Company, "vatNumber": i.VATNumber,
	}
}

const maxInfoField = 255

// Validate checks the information given under path ("input") and returns
// it normalized: trimmed, country and VAT number upper-cased, e-mail
// lower-cased. First and last name, e-mail, address, city, zip and country
// are required; the state is required in the US (and allowed elsewhere); the
// VAT number, when given, must have its country's format where that is
// known offline (the EU's, the UK's, Switzerland's and Norway's).
func (i Info) Validate(path string) (Info, error) {
	field := func(name string) string { return path + "." + name }
	for _, f := range []struct {
		name     string
		value    *string
		required bool
	}{
		{"firstName", &i.FirstName, true}, {"lastName", &i.LastName, true}, {"email", &i.Email, true},
		{"address", &i.Address, true}, {"city", &i.City, true}, {"zip", &i.Zip, true},
		{"state", &i.State, false}, {"countryCode", &i.CountryCode, true},
		{"company", &i.Company, false}, {"vatNumber", &i.VATNumber, false},
	} {
		*f.value = strings.TrimSpace(*f.value)
		if f.required && *f.value == "" {
			return i, apperr.BadInput(field(f.name), "%s is required", field(f.name))
		}
		if _, err := validate.Text(field(f.name), *f.value, maxInfoField); err != nil {
			return i, err
		}
		if strings.ContainsAny(*f.value, "\r\n\t") {
			return i, apperr.BadInput(field(f.name), "%s must be one line", field(f.name))
		}
	}
	email, err := validate.Email(field("email"), i.Email)
	if err != nil {
		return i, err
	}
	i.Email = email
	i.CountryCode = strings.ToUpper(i.CountryCode)
	if !IsCountryCode(i.CountryCode) {
		return i, apperr.BadInput(field("countryCode"), "%s must be an ISO 3166-1 alpha-2 country code, like US or FR", field("countryCode"))
	}
	if i.CountryCode == "US" && i.State == "" {
		return i, apperr.BadInput(field("state"), "%s is required for a US address", field("state"))
	}
	if i.VATNumber != "" {
		i.VATNumber = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(i.VATNumber))
		if !ValidVATNumber(i.CountryCode, i.VATNumber) {
			return i, apperr.BadInput(field("vatNumber"), "%s does not have the format of a VAT number of %s", field("vatNumber"), i.CountryCode)
		}
	}
	return i, nil
}

// IsCountryCode reports whether code is an ISO 3166-1 alpha-2 code of a
// country (or autonomous area), in its canonical upper-case form.
func IsCountryCode(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize().String() == code
}

// vatFormats are VAT number formats, prefix included, by billing country
// (Greece's numbers start EL), as the EU's VIES service documents them.
var vatFormats = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^ATU\d{8}$`),
	"BE": regexp.MustCompile(`^BE[01]\d{9}$`),
	"BG": regexp.MustCompile(`^BG\d{9,10}$`),
	"CY": regexp.MustCompile(`^CY\d{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^CZ\d{8,10}$`),
	"DE": regexp.MustCompile(`^DE\d{9}$`),
	"DK": regexp.MustCompile(`^DK\d{8}$`),
	"EE": regexp.MustCompile(`^EE\d{9}$`),
	"GR": regexp.MustCompile(`^EL\d{9}$`),
	"ES": regexp.MustCompile(`^ES[A-Z0-9]\d{7}[A-Z0-9]$`),
	"FI": regexp.MustCompile(`^FI\d{8}$`),
	"FR": regexp.MustCompile(`^FR[A-HJ-NP-Z0-9]{2}\d{9}$`),
	"HR": regexp.MustCompile(`^HR\d{11}$`),
	"HU": regexp.MustCompile(`^HU\d{8}$`),
	"IE": regexp.MustCompile(`^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$`),
	"IT": regexp.MustCompile(`^IT\d{11}$`),
	"LT": regexp.MustCompile(`^LT(\d{9}|\d{12})$`),
	"LU": regexp.MustCompile(`^LU\d{8}$`),
	"LV": regexp.MustCompile(`^LV\d{11}$`),
	"MT": regexp.MustCompile(`^MT\d{8}$`),
	"NL": regexp.MustCompile(`^NL\d{9}B\d{2}$`),
	"PL": regexp.MustCompile(`^PL\d{10}$`),
	"PT": regexp.MustCompile(`^PT\d{9}$`),
	"RO": regexp.MustCompile(`^RO\d{2,10}$`),
	"SE": regexp.MustCompile(`^SE\d{10}01$`),
	"SI": regexp.MustCompile(`^SI\d{8}$`),
	"SK": regexp.MustCompile(`^SK\d{10}$`),
	"GB": regexp.MustCompile(`^GB(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$`),
	"CH": regexp.MustCompile(`^CHE\d{9}(MWST|TVA|IVA)?$`),
	"NO": regexp.MustCompile(`^NO\d{9}(MVA)?$`),
}

// ValidVATNumber reports whether vat (upper-case, no spaces) has the format
// of a VAT number of country; a country whose format is not known offline
// takes any 2 to 20 letters and digits.
func ValidVATNumber(country, vat string) bool {
	if re, ok := vatFormats[country]; ok {
		return re.MatchString(vat)
	}
	return regexp.MustCompile(`^[A-Z0-9]{2,20}$`).MatchString(vat)
}

// CardName names a card in events and messages: "visa ending 4242".
func CardName(brand, last4 string) string { return brand + " ending " + last4 }
