package credentials

import (
	"context"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
)

var helmKind = change.Kind[*ent.HelmRepository]{
	Type: ent.TypeHelmRepository, Target: organizationevent.TargetTypeHELM_REPOSITORY, Noun: "Helm repository",
	Ref: func(r *ent.HelmRepository) change.Ref {
		return change.Ref{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name}
	},
}

func helmBinding(orgID, rowID string) secret.Binding {
	return secret.Binding{Organization: orgID, Table: ent.Tables[ent.TypeHelmRepository], Row: rowID}
}

// CreateHelmRepository creates a Helm repository in organization orgID.
func (s *Service) CreateHelmRepository(ctx context.Context, orgID string, in HelmInput) (*ent.HelmRepository, error) {
	client := database.Client(ctx, s.Client)
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeHelmRepository, orgID); err != nil {
		return nil, err
	}
	k, _ := kindOf(HelmKinds, string(in.Kind))
	rowID := id.New(id.HelmRepository)
	url, err := checkURL(k, in.URL, "input.url")
	if err != nil {
		return nil, err
	}
	next, _, err := applyInput(s.Keys, k, in.Config, in.ClearSecrets, stored{}, helmBinding(orgID, rowID), "input")
	if err != nil {
		return nil, err
	}
	create := client.HelmRepository.Create().
		SetID(rowID).
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetKind(in.Kind).
		SetNillableDescription(in.Description).
		SetURL(url).
		SetNillableSkipTLSVerification(in.SkipTLSVerification).
		SetConfig(next.Config).
		SetSecrets(next.Secrets)
	return change.Create(ctx, helmKind, nil, "input", create, create.Mutation())
}

// UpdateHelmRepository replaces Helm repository id's definition; the secrets
// the input omits stay stored.
func (s *Service) UpdateHelmRepository(ctx context.Context, repoID string, in HelmInput) (*ent.HelmRepository, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.HelmRepository.Get(ctx, repoID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeHelmRepository, r.OrganizationID); err != nil {
		return nil, err
	}
	k, _ := kindOf(HelmKinds, string(in.Kind))
	url, err := checkURL(k, in.URL, "input.url")
	if err != nil {
		return nil, err
	}
	next, secretsChanged, err := applyInput(s.Keys, k, in.Config, in.ClearSecrets,
		stored{Config: r.Config, Secrets: r.Secrets}, helmBinding(r.OrganizationID, r.ID), "input")
	if err != nil {
		return nil, err
	}
	skip := false
	if in.SkipTLSVerification != nil {
		skip = *in.SkipTLSVerification
	}
	update := client.HelmRepository.UpdateOne(r).
		SetName(in.Name).
		SetKind(in.Kind).
		SetURL(url).
		SetSkipTLSVerification(skip).
		SetConfig(next.Config)
	if in.Description != nil {
		update.SetDescription(*in.Description)
	}
	if secretsChanged {
		update.SetSecrets(next.Secrets).AddSecretsVersion(1)
	}
	return change.Update(ctx, helmKind, r, "input", update, update.Mutation())
}

// DeleteHelmRepository deletes Helm repository id.
func (s *Service) DeleteHelmRepository(ctx context.Context, repoID string) (string, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.HelmRepository.Get(ctx, repoID)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, helmKind, r, client.HelmRepository.DeleteOne(r))
}
