package credentials

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
)

var registryKind = change.Kind[*ent.ContainerRegistry]{
	Type: ent.TypeContainerRegistry, Target: organizationevent.TargetTypeCONTAINER_REGISTRY, Noun: "container registry",
	Ref: func(r *ent.ContainerRegistry) change.Ref {
		return change.Ref{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name}
	},
}

func registryBinding(orgID, rowID string) secret.Binding {
	return secret.Binding{Organization: orgID, Table: ent.Tables[ent.TypeContainerRegistry], Row: rowID}
}

// CreateRegistry creates a container registry in organization orgID.
func (s *Service) CreateRegistry(ctx context.Context, orgID string, in RegistryInput) (*ent.ContainerRegistry, error) {
	client := database.Client(ctx, s.Client)
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeContainerRegistry, orgID); err != nil {
		return nil, err
	}
	k, _ := kindOf(RegistryKinds, string(in.Kind))
	rowID := id.New(id.ContainerRegistry)
	url, err := checkURL(k, in.URL, "input.url")
	if err != nil {
		return nil, err
	}
	next, _, err := applyInput(s.Keys, k, in.Config, in.ClearSecrets, stored{}, registryBinding(orgID, rowID), "input")
	if err != nil {
		return nil, err
	}
	create := client.ContainerRegistry.Create().
		SetID(rowID).
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetKind(in.Kind).
		SetNillableDescription(in.Description).
		SetURL(url).
		SetConfig(next.Config).
		SetSecrets(next.Secrets)
	return change.Create(ctx, registryKind, nil, "input", create, create.Mutation())
}

// UpdateRegistry replaces container registry id's definition; the secrets
// the input omits stay stored.
func (s *Service) UpdateRegistry(ctx context.Context, registryID string, in RegistryInput) (*ent.ContainerRegistry, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.ContainerRegistry.Get(ctx, registryID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeContainerRegistry, r.OrganizationID); err != nil {
		return nil, err
	}
	k, _ := kindOf(RegistryKinds, string(in.Kind))
	url, err := checkURL(k, in.URL, "input.url")
	if err != nil {
		return nil, err
	}
	next, secretsChanged, err := applyInput(s.Keys, k, in.Config, in.ClearSecrets,
		stored{Config: r.Config, Secrets: r.Secrets}, registryBinding(r.OrganizationID, r.ID), "input")
	if err != nil {
		return nil, err
	}
	update := client.ContainerRegistry.UpdateOne(r).
		SetName(in.Name).
		SetKind(in.Kind).
		SetURL(url).
		SetConfig(next.Config)
	if in.Description != nil {
		update.SetDescription(*in.Description)
	}
	if secretsChanged {
		update.SetSecrets(next.Secrets).AddSecretsVersion(1)
	}
	return change.Update(ctx, registryKind, r, "input", update, update.Mutation())
}

// DeleteRegistry deletes container registry id.
func (s *Service) DeleteRegistry(ctx context.Context, registryID string) (string, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.ContainerRegistry.Get(ctx, registryID)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, registryKind, r, client.ContainerRegistry.DeleteOne(r))
}

// RegistryKindInfo returns the catalog entry of kind.
func RegistryKindInfo(kind string) (Kind, error) {
	k, ok := kindOf(RegistryKinds, kind)
	if !ok {
		return Kind{}, apperr.BadInput("kind", "unknown kind %s", kind)
	}
	return k, nil
}
