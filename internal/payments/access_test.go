package payments_test

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// Billing is MANAGE_BILLING's: OWNER, ADMIN and BILLING read and change it;
// DEVOPS and VIEWER members get FORBIDDEN and change nothing; another
// organization's owner gets NOT_FOUND for every ID of it.
func TestBillingRoleMatrix(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		first := addCard(t, alice, org, "tok_visa")
		bob := e.SignIn(t, "bob")
		bobs := bob.CreateOrg(t)
		bobsCard := addCard(t, bob, bobs, "tok_amex")

		ops := func(cardID string) map[string]struct {
			doc  string
			vars map[string]any
		} {
			return map[string]struct {
				doc  string
				vars map[string]any
			}{
				"billing":              {billingDoc, map[string]any{"id": org.ID}},
				"updateBillingInfo":    {updateInfoDoc, map[string]any{"org": org.ID, "input": frenchInfo()}},
				"addCreditCard":        {addCardDoc, map[string]any{"org": org.ID, "token": "tok_mastercard"}},
				"setDefaultCreditCard": {setDefaultDoc, map[string]any{"id": cardID}},
				"removeCreditCard":     {removeCardDoc, map[string]any{"id": cardID}},
				"changePlan":           {changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"}},
			}
		}
		for _, kind := range []rbac.Kind{rbac.DevOps, rbac.Viewer} {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			for _, op := range ops(first.ID) {
				m.Do(t, op.doc, op.vars).Err(t, "FORBIDDEN")
			}
		}
		for _, op := range ops(first.ID) {
			bob.Do(t, op.doc, op.vars).Err(t, "NOT_FOUND")
		}
		// Alice cannot touch bob's card either.
		alice.Do(t, setDefaultDoc, map[string]any{"id": bobsCard.ID}).Err(t, "NOT_FOUND")
		alice.Do(t, removeCardDoc, map[string]any{"id": bobsCard.ID}).Err(t, "NOT_FOUND")

		b := readBilling(t, alice, org)
		if b.Info != nil || len(b.CreditCards) != 1 || b.CurrentCost.Plan.Code != "FREE" {
			t.Fatalf("refused calls changed billing: %+v", b)
		}
		if bb := readBilling(t, bob, bobs); len(bb.CreditCards) != 1 || bb.CreditCards[0].ID != bobsCard.ID {
			t.Fatalf("bob's cards changed: %+v", bb.CreditCards)
		}

		for _, kind := range []rbac.Kind{rbac.Admin, rbac.Billing} {
			m := e.SignIn(t, "member")
			e.AddMember(t, org, m, kind)
			readBilling(t, m, org)
			m.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": frenchInfo()}).OK(t, nil)
			c := addCard(t, m, org, "tok_mastercard")
			m.Do(t, setDefaultDoc, map[string]any{"id": c.ID}).OK(t, nil)
			m.Do(t, removeCardDoc, map[string]any{"id": c.ID}).OK(t, nil)
		}
		if b := readBilling(t, alice, org); len(b.CreditCards) != 1 || !b.CreditCards[0].IsDefault || b.CreditCards[0].ID != first.ID {
			t.Fatalf("after the billing members' changes: %+v", b.CreditCards)
		}
		// An API token with the BILLING role manages billing too.
		tok, _ := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Billing))
		tok.Do(t, changePlanDoc, map[string]any{"org": org.ID, "plan": "TEAM"}).OK(t, nil)
	})
}

func TestBillingInfoValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		with := func(k string, v any) map[string]any {
			in := frenchInfo()
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
			return in
		}
		us := func(state any) map[string]any {
			in := with("countryCode", "US")
			delete(in, "vatNumber")
			if state != nil {
				in["state"] = state
			}
			return in
		}
		cases := []struct {
			name  string
			input map[string]any
			field string
		}{
			{"blank first name", with("firstName", "  "), "input.firstName"},
			{"empty last name", with("lastName", ""), "input.lastName"},
			{"blank address", with("address", " "), "input.address"},
			{"blank city", with("city", ""), "input.city"},
			{"blank zip", with("zip", ""), "input.zip"},
			{"not an e-mail", with("email", "billing.example.com"), "input.email"},
			{"two addresses", with("email", "a@example.com, b@example.com"), "input.email"},
			{"alpha-3 country", with("countryCode", "FRA"), "input.countryCode"},
			{"unknown country", with("countryCode", "XX"), "input.countryCode"},
			{"a continent", with("countryCode", "EU"), "input.countryCode"},
			{"numeric country", with("countryCode", "25"), "input.countryCode"},
			{"US without state", us(nil), "input.state"},
			{"US with blank state", us("  "), "input.state"},
			{"French VAT of the wrong length", with("vatNumber", "FR123"), "input.vatNumber"},
			{"German VAT for France", with("vatNumber", "DE123456789"), "input.vatNumber"},
			{"VAT with punctuation", with("vatNumber", "FR12!45678901"), "input.vatNumber"},
			{"a line break", with("company", "Acme\nSAS"), "input.company"},
			{"too long", with("city", strings.Repeat("a", 256)), "input.city"},
		}
		for _, c := range cases {
			err := alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": c.input}).Err(t, "BAD_USER_INPUT")
			if err.Field() != c.field {
				t.Errorf("%s: extensions.field %q, want %q (%s)", c.name, err.Field(), c.field, err.Message)
			}
		}
		if b := readBilling(t, alice, org); b.Info != nil {
			t.Fatalf("refused input was stored: %v", *b.Info)
		}
		if n := len(events(t, e, org.ID, "BILLING_INFO")); n != 0 {
			t.Fatalf("refused input wrote %d events", n)
		}
		// Valid: a US address with its state, and VAT formats of other countries.
		alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": us("TX")}).OK(t, nil)
		for country, vat := range map[string]string{"DE": "DE123456789", "GR": "EL123456789", "NL": "NL123456789B01", "GB": "GB123456789", "CH": "CHE123456789MWST", "JP": "T1234567890123"} {
			alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": with("vatNumber", vat)}).Err(t, "BAD_USER_INPUT")
			in := with("countryCode", country)
			in["vatNumber"] = vat
			alice.Do(t, updateInfoDoc, map[string]any{"org": org.ID, "input": in}).OK(t, nil)
		}
		// Updates are events with what changed.
		evs := events(t, e, org.ID, "BILLING_INFO")
		if len(evs) < 2 || evs[0].Type != "CREATE" || evs[1].Type != "UPDATE" || evs[1].Change["countryCode"] == nil {
			t.Fatalf("billing information events: %+v", evs)
		}
	})
}

func TestCreditCards(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		for _, bad := range []string{"", " ", "4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "tok_unknown", "tok visa", "tok_vis\u00e0"} {
			err := alice.Do(t, addCardDoc, map[string]any{"org": org.ID, "token": bad}).Err(t, "BAD_USER_INPUT")
			if err.Field() != "input.paymentMethodToken" {
				t.Errorf("token %q: field %q", bad, err.Field())
			}
		}
		visa := addCard(t, alice, org, "tok_visa")
		amex := addCard(t, alice, org, "tok_amex")
		expired := addCard(t, alice, org, "tok_expired")
		if !visa.IsDefault || amex.IsDefault || expired.IsDefault || !expired.IsExpired || amex.IsExpired {
			t.Fatalf("cards: %+v %+v %+v", visa, amex, expired)
		}
		var out struct{ AddCreditCard card }
		alice.Do(t, addCardDoc, map[string]any{"org": org.ID, "token": "tok_mastercard", "default": true}).OK(t, &out)
		mc := out.AddCreditCard
		cards := readBilling(t, alice, org).CreditCards
		if len(cards) != 4 || cards[0].ID != mc.ID || !cards[0].IsDefault || defaults(cards) != 1 {
			t.Fatalf("after adding a default card: %+v", cards)
		}
		alice.Do(t, setDefaultDoc, map[string]any{"id": amex.ID}).OK(t, nil)
		if cards := readBilling(t, alice, org).CreditCards; cards[0].ID != amex.ID || defaults(cards) != 1 {
			t.Fatalf("after setDefaultCreditCard: %+v", cards)
		}
		// Removing the default makes the newest other card the default.
		var removed struct{ RemoveCreditCard string }
		alice.Do(t, removeCardDoc, map[string]any{"id": amex.ID}).OK(t, &removed)
		cards = readBilling(t, alice, org).CreditCards
		if removed.RemoveCreditCard != amex.ID || len(cards) != 3 || cards[0].ID != mc.ID || defaults(cards) != 1 {
			t.Fatalf("after removing the default: %+v", cards)
		}
		alice.Do(t, removeCardDoc, map[string]any{"id": amex.ID}).Err(t, "NOT_FOUND")
	})
}

func defaults(cards []card) int {
	n := 0
	for _, c := range cards {
		if c.IsDefault {
			n++
		}
	}
	return n
}

// No input of the schema takes a card number or CVC: cards come only as
// payment-provider tokens (docs/security.md S23).
func TestNoInputTakesACardNumber(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	forbidden := []string{"number", "cardnumber", "pan", "cvc", "cvv", "cvc2", "securitycode", "expmonth", "expiry"}
	check := func(where, name string) {
		n := strings.ToLower(strings.ReplaceAll(name, "_", ""))
		for _, f := range forbidden {
			if n == f || strings.Contains(n, "cardnumber") || strings.Contains(n, "cvc") || strings.Contains(n, "cvv") {
				t.Errorf("%s takes %q: a card number or CVC must never be an input", where, name)
				return
			}
		}
	}
	inputs := 0
	for _, typ := range schema.Types {
		if typ.Kind == ast.InputObject {
			inputs++
			for _, f := range typ.Fields {
				check(typ.Name, f.Name)
			}
		}
		if typ.Kind == ast.Object {
			for _, f := range typ.Fields {
				for _, a := range f.Arguments {
					check(typ.Name+"."+f.Name, a.Name)
				}
			}
		}
	}
	if schema.Types["AddCreditCardInput"] == nil || inputs < 10 {
		t.Fatalf("the schema walked is not orgql's: %d input types", inputs)
	}
	got := []string{}
	for _, f := range schema.Types["AddCreditCardInput"].Fields {
		got = append(got, f.Name)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "makeDefault,paymentMethodToken" {
		t.Fatalf("AddCreditCardInput takes %v", got)
	}
}

// The database holds of a card only its brand, last 4, expiry, default
// flag and the provider's ID: the credit_cards table's columns, read back.
func TestTheDatabaseHoldsNoCardNumber(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		added := addCard(t, alice, org, "tok_visa")
		rows, err := e.DB.SQL.QueryContext(context.Background(), "SELECT * FROM credit_cards WHERE id = "+placeholder(e), added.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		sorted := append([]string(nil), cols...)
		sort.Strings(sorted)
		want := "brand,created_at,expiry_month,expiry_year,id,is_default,last4,organization_id,provider_id"
		if strings.Join(sorted, ",") != want {
			t.Fatalf("credit_cards has columns %v, want exactly %s", cols, want)
		}
		if !rows.Next() {
			t.Fatal("no row")
		}
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			s := toString(values[i])
			if strings.Contains(s, "4242424242424242") || (c != "last4" && c != "provider_id" && strings.Contains(s, "4242")) {
				t.Errorf("column %s holds %q", c, s)
			}
			if c == "provider_id" && !strings.HasPrefix(s, "lpm_visa_") {
				t.Errorf("provider_id %q", s)
			}
		}
		// The billing accounts hold no card data at all.
		var n int
		if err := e.DB.SQL.QueryRow("SELECT COUNT(*) FROM billing_accounts WHERE organization_id = "+placeholder(e)+" AND customer_id <> ''", org.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("billing account: %d %v", n, err)
		}
	})
}

func placeholder(e *testkit.Env) string {
	if e.Backend == testkit.Postgres {
		return "$1"
	}
	return "?"
}

func toString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	default:
		return strings.TrimSpace(strings.Trim(strings.ReplaceAll(sqlString(x), "\n", " "), " "))
	}
}

func sqlString(v any) string {
	var s sql.NullString
	_ = s.Scan(v)
	return s.String
}
