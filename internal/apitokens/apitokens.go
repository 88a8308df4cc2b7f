// Package apitokens runs the changes of organization API tokens: creating
// one (its value returned once, only its hash stored) and deleting one. How
// a token authenticates, and with which role, is in internal/auth.
package apitokens

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/apitoken"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/role"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/token"
)

// CreateInput is the GraphQL CreateAPITokenInput.
type CreateInput struct {
	Name        string
	Description *string
	RoleID      string
	ExpiresAt   *time.Time
}

// Created is the GraphQL CreateAPITokenPayload: the token and, this once, its value.
type Created struct {
	APIToken *ent.APIToken
	Token    string
}

// Service runs the API token changes.
type Service struct {
	Client *ent.Client
}

var kind = change.Kind[*ent.APIToken]{
	Type: ent.TypeAPIToken, Target: organizationevent.TargetTypeAPI_TOKEN, Noun: "API token",
	Ref: func(t *ent.APIToken) change.Ref {
		return change.Ref{ID: t.ID, OrganizationID: t.OrganizationID, Name: t.Name}
	},
}

// Create creates an API token in organization orgID. Only a signed-in user
// mints credentials; the role must be one the user may grant (never OWNER),
// so a token never starts above its creator.
func (s *Service) Create(ctx context.Context, orgID string, in CreateInput) (*Created, error) {
	if _, err := auth.RequireUser(ctx); err != nil {
		return nil, err
	}
	client := database.Client(ctx, s.Client)
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeAPIToken, orgID); err != nil {
		return nil, err
	}
	me, err := tenancy.Role(ctx, client, orgID)
	if err != nil {
		return nil, err
	}
	r, err := client.Role.Query().Where(role.ID(in.RoleID), role.OrganizationID(orgID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.BadInput("input.roleID", "input.roleID is not a role of this organization")
	}
	if err != nil {
		return nil, fmt.Errorf("load role: %w", err)
	}
	if !rbac.CanGrant(me.Kind, r.Kind) {
		msg := fmt.Sprintf("a member with the %s role cannot give a token the %s role: it has capabilities or access that %s lacks", me.Name, r.Name, me.Name)
		if r.Kind == rbac.Owner {
			msg = "no API token holds the OWNER role"
		}
		return nil, &apperr.Error{Code: apperr.CodeForbidden, Field: "input.roleID", Message: msg}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		return nil, apperr.BadInput("input.expiresAt", "input.expiresAt must be in the future")
	}
	value := token.New(token.APIToken)
	create := client.APIToken.Create().
		SetID(id.New(id.APIToken)).
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetNillableDescription(in.Description).
		SetRoleID(r.ID).
		SetTokenHash(token.Hash(value)).
		SetTokenHint(value[len(value)-4:]).
		SetNillableExpiresAt(truncate(in.ExpiresAt))
	t, err := change.Create(ctx, kind, nil, "input", create, create.Mutation())
	if err != nil {
		return nil, err
	}
	return &Created{APIToken: t, Token: value}, nil
}

// Delete deletes API token id: it is refused from then on.
func (s *Service) Delete(ctx context.Context, tokenID string) (string, error) {
	client := database.Client(ctx, s.Client)
	t, err := client.APIToken.Query().Where(apitoken.ID(tokenID)).Only(ctx)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, kind, t, client.APIToken.DeleteOne(t))
}

// truncate keeps what PostgreSQL stores of a time (microseconds), so the
// value returned on creation is the one read later.
func truncate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.Truncate(time.Microsecond)
	return &v
}
