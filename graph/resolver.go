// Package graph holds the thin GraphQL resolvers: each calls ent or one domain
// function and returns. The executor gqlgen generates is in graph/generated.
package graph

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/apitokens"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/credentials"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/members"
	"github.com/orgql/orgql/internal/orgs"
	"github.com/orgql/orgql/internal/payments"
	"github.com/orgql/orgql/internal/projects"
	"github.com/orgql/orgql/internal/roles"
)

// Resolver is the root resolver; its dependencies are built once at start-up.
type Resolver struct {
	Client      *ent.Client
	Plans       billing.Catalog
	Orgs        *orgs.Service
	Members     *members.Service
	Roles       *roles.Service
	Projects    *projects.Service
	APITokens   *apitokens.Service
	Credentials *credentials.Service
	// Auth lists and revokes the signed-in user's sessions.
	Auth     *auth.Authenticator
	Payments *payments.Service
	// Live serves the subscriptions, within LiveLimits.
	Live       *live.Hub
	LiveLimits live.Limits
}

// client is the transaction's client inside a mutation, else the root client.
func (r *Resolver) client(ctx context.Context) *ent.Client {
	return database.Client(ctx, r.Client)
}
