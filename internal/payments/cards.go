package payments

import (
	"context"
	"fmt"
	"strings"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/creditcard"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
)

// AddCardInput is the GraphQL AddCreditCardInput: a payment-method token,
// never a card number.
type AddCardInput struct {
	PaymentMethodToken string
	// MakeDefault makes the card the default; the first card always is.
	MakeDefault *bool
}

// Cards returns the organization's cards, the default first, then newest first.
func (s *Service) Cards(ctx context.Context, b *Billing) ([]*ent.CreditCard, error) {
	return database.Client(ctx, s.Client).CreditCard.Query().
		Where(creditcard.OrganizationID(b.OrganizationID)).
		Order(ent.Desc(creditcard.FieldIsDefault), ent.Desc(creditcard.FieldCreatedAt), ent.Desc(creditcard.FieldID)).
		All(ctx)
}

// IsExpired reports whether card's expiry month has passed.
func (s *Service) IsExpired(card *ent.CreditCard) bool {
	return billing.Expired(card.ExpiryMonth, card.ExpiryYear, s.now())
}

// AddCard attaches the card in.PaymentMethodToken stands for to the organization.
func (s *Service) AddCard(ctx context.Context, orgID string, in AddCardInput) (*ent.CreditCard, error) {
	tok := strings.TrimSpace(in.PaymentMethodToken)
	if tok == "" || len(tok) > 255 || strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, apperr.BadInput("input.paymentMethodToken", "input.paymentMethodToken must be a payment-method token from the payment provider (like tok_visa or pm_...)")
	}
	if looksLikeCardNumber(tok) {
		return nil, apperr.BadInput("input.paymentMethodToken", "input.paymentMethodToken must be a payment-method token: orgql never takes a card number")
	}
	client, org, acct, err := s.begin(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if acct, err = s.customer(ctx, client, org, acct); err != nil {
		return nil, err
	}
	card, err := s.Provider.AddCard(ctx, acct.CustomerID, tok)
	if err != nil {
		return nil, providerError(err, "input.paymentMethodToken")
	}
	others, err := client.CreditCard.Query().Where(creditcard.OrganizationID(orgID)).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count cards: %w", err)
	}
	makeDefault := others == 0 || (in.MakeDefault != nil && *in.MakeDefault)
	if makeDefault {
		if err := s.Provider.SetDefaultCard(ctx, acct.CustomerID, card.ProviderID); err != nil {
			return nil, providerError(err, "input.paymentMethodToken")
		}
		if err := client.CreditCard.Update().Where(creditcard.OrganizationID(orgID)).SetIsDefault(false).Exec(ctx); err != nil {
			return nil, fmt.Errorf("clear default card: %w", err)
		}
	}
	row, err := client.CreditCard.Create().
		SetOrganizationID(orgID).
		SetProviderID(card.ProviderID).
		SetBrand(card.Brand).
		SetLast4(card.Last4).
		SetExpiryMonth(card.ExpiryMonth).
		SetExpiryYear(card.ExpiryYear).
		SetIsDefault(makeDefault).
		Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.Conflict("this card is already added")
	}
	if err != nil {
		return nil, fmt.Errorf("save card: %w", err)
	}
	return row, s.recordCard(ctx, client, organizationevent.TypeCREATE, row, map[string]any{"isDefault": makeDefault})
}

// RemoveCard removes card id; when it was the default, the newest other card becomes the default.
func (s *Service) RemoveCard(ctx context.Context, id string) (string, error) {
	client, card, acct, err := s.beginCard(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.Provider.RemoveCard(ctx, acct.CustomerID, card.ProviderID); err != nil {
		return "", providerError(err, "id")
	}
	if err := client.CreditCard.DeleteOne(card).Exec(ctx); err != nil {
		return "", fmt.Errorf("delete card: %w", err)
	}
	if err := s.recordCard(ctx, client, organizationevent.TypeDELETE, card, nil); err != nil {
		return "", err
	}
	if card.IsDefault {
		next, err := client.CreditCard.Query().Where(creditcard.OrganizationID(card.OrganizationID)).
			Order(ent.Desc(creditcard.FieldCreatedAt), ent.Desc(creditcard.FieldID)).First(ctx)
		if ent.IsNotFound(err) {
			return id, nil
		}
		if err != nil {
			return "", fmt.Errorf("find next default card: %w", err)
		}
		if _, err := s.makeDefault(ctx, client, acct, next); err != nil {
			return "", err
		}
	}
	return id, nil
}

// SetDefaultCard makes card id the one invoices are charged to.
func (s *Service) SetDefaultCard(ctx context.Context, id string) (*ent.CreditCard, error) {
	client, card, acct, err := s.beginCard(ctx, id)
	if err != nil {
		return nil, err
	}
	if card.IsDefault {
		return card, nil
	}
	return s.makeDefault(ctx, client, acct, card)
}

func (s *Service) makeDefault(ctx context.Context, client *ent.Client, acct *ent.BillingAccount, card *ent.CreditCard) (*ent.CreditCard, error) {
	if err := s.Provider.SetDefaultCard(ctx, acct.CustomerID, card.ProviderID); err != nil {
		return nil, providerError(err, "id")
	}
	if err := client.CreditCard.Update().Where(creditcard.OrganizationID(card.OrganizationID), creditcard.IDNEQ(card.ID)).SetIsDefault(false).Exec(ctx); err != nil {
		return nil, fmt.Errorf("clear default card: %w", err)
	}
	updated, err := client.CreditCard.UpdateOne(card).SetIsDefault(true).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("set default card: %w", err)
	}
	return updated, s.recordCard(ctx, client, organizationevent.TypeUPDATE, updated, map[string]any{"isDefault": map[string]any{"from": false, "to": true}})
}

// beginCard starts a change of card id: NOT_FOUND unless the caller is a
// member of its organization, FORBIDDEN without MANAGE_BILLING there.
func (s *Service) beginCard(ctx context.Context, id string) (*ent.Client, *ent.CreditCard, *ent.BillingAccount, error) {
	client := database.Client(ctx, s.Client)
	// Found as the system, then shown only to members: a member without
	// MANAGE_BILLING is told FORBIDDEN, anyone else NOT_FOUND.
	card, err := client.CreditCard.Get(tenancy.AsSystem(ctx, tenancy.Billing), id)
	if err != nil {
		return nil, nil, nil, apperr.NotFound()
	}
	if err := tenancy.Authorize(ctx, client, card.OrganizationID, rbac.ReadOrganization); err != nil {
		return nil, nil, nil, err
	}
	client, _, acct, err := s.begin(ctx, card.OrganizationID)
	if err != nil {
		return nil, nil, nil, err
	}
	if card, err = client.CreditCard.Get(ctx, id); err != nil {
		return nil, nil, nil, err
	}
	return client, card, acct, nil
}

// recordCard writes the card's event: its brand and last 4, nothing else of it.
func (s *Service) recordCard(ctx context.Context, client *ent.Client, typ organizationevent.Type, card *ent.CreditCard, extra map[string]any) error {
	change := map[string]any{"brand": card.Brand, "last4": card.Last4}
	for k, v := range extra {
		change[k] = v
	}
	if typ == organizationevent.TypeDELETE {
		change = nil
	}
	err := events.Record(ctx, events.Event{
		OrganizationID: card.OrganizationID, Type: typ, TargetType: organizationevent.TargetTypeCREDIT_CARD,
		TargetID: card.ID, TargetName: billing.CardName(card.Brand, card.Last4), Change: change,
	})
	return err
}

// looksLikeCardNumber reports whether s is 12 to 19 digits (spaces and
// dashes aside): a card number sent where a token belongs.
func looksLikeCardNumber(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	return n >= 12 && n <= 19
}
