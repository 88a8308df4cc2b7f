package credentials

import (
	"context"
	"net/url"
	"strings"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/gittoken"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/validate"
)

var gitTokenKind = change.Kind[*ent.GitToken]{
	Type: ent.TypeGitToken, Target: organizationevent.TargetTypeGIT_TOKEN, Noun: "Git token",
	Ref: func(t *ent.GitToken) change.Ref {
		return change.Ref{ID: t.ID, OrganizationID: t.OrganizationID, Name: t.Name}
	},
}

// gitSecret is the one secret of a Git token.
const gitSecret = "token"

func gitBinding(orgID, rowID string) secret.Binding {
	return secret.Binding{Organization: orgID, Table: ent.Tables[ent.TypeGitToken], Row: rowID, Field: gitSecret}
}

// gitFields checks a Git token input's provider-dependent fields under
// "input" and returns the workspace and API URL to store.
func gitFields(in GitTokenInput) (workspace, apiURL string, err error) {
	if in.Workspace != nil && *in.Workspace != "" {
		if in.Provider != gittoken.ProviderBITBUCKET {
			return "", "", apperr.BadInput("input.workspace", "input.workspace is for BITBUCKET tokens only")
		}
		if err := validate.NameRule(255)(*in.Workspace); err != nil {
			return "", "", apperr.BadInput("input.workspace", "input.workspace %s", err)
		}
		workspace = *in.Workspace
	}
	if in.Provider == gittoken.ProviderBITBUCKET && workspace == "" {
		return "", "", apperr.BadInput("input.workspace", "input.workspace is required for BITBUCKET")
	}
	if in.APIURL != nil && *in.APIURL != "" {
		if in.Provider == gittoken.ProviderBITBUCKET {
			return "", "", apperr.BadInput("input.apiURL", "input.apiURL is for a GitHub Enterprise Server or a self-hosted GitLab")
		}
		u, perr := url.Parse(*in.APIURL)
		if perr != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
			validate.NameRule(validate.MaxURL)(*in.APIURL) != nil {
			return "", "", apperr.BadInput("input.apiURL", "input.apiURL must be an https:// URL without credentials, query or fragment")
		}
		apiURL = strings.TrimRight(*in.APIURL, "/")
	}
	return workspace, apiURL, nil
}

// sealGitToken checks and seals a given token value.
func (s *Service) sealGitToken(value string, b secret.Binding) (string, error) {
	if err := validate.NameRule(maxSetting)(value); err != nil {
		return "", apperr.BadInput("input.token", "input.token %s", err)
	}
	return s.Keys.Seal(value, b)
}

// CreateGitToken creates a Git token in organization orgID.
func (s *Service) CreateGitToken(ctx context.Context, orgID string, in GitTokenInput) (*ent.GitToken, error) {
	client := database.Client(ctx, s.Client)
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeGitToken, orgID); err != nil {
		return nil, err
	}
	workspace, apiURL, err := gitFields(in)
	if err != nil {
		return nil, err
	}
	if in.Token == nil {
		return nil, apperr.BadInput("input.token", "input.token is required")
	}
	rowID := id.New(id.GitToken)
	env, err := s.sealGitToken(*in.Token, gitBinding(orgID, rowID))
	if err != nil {
		return nil, err
	}
	create := client.GitToken.Create().
		SetID(rowID).
		SetOrganizationID(orgID).
		SetName(in.Name).
		SetNillableDescription(in.Description).
		SetProvider(in.Provider).
		SetWorkspace(workspace).
		SetAPIURL(apiURL).
		SetSecrets(map[string]string{gitSecret: env})
	return change.Create(ctx, gitTokenKind, nil, "input", create, create.Mutation())
}

// UpdateGitToken replaces Git token id's definition; without a token value
// the stored one stays. A new value forgets the expiry the old one had.
func (s *Service) UpdateGitToken(ctx context.Context, tokenID string, in GitTokenInput) (*ent.GitToken, error) {
	client := database.Client(ctx, s.Client)
	t, err := client.GitToken.Get(ctx, tokenID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeGitToken, t.OrganizationID); err != nil {
		return nil, err
	}
	workspace, apiURL, err := gitFields(in)
	if err != nil {
		return nil, err
	}
	update := client.GitToken.UpdateOne(t).
		SetName(in.Name).
		SetProvider(in.Provider).
		SetWorkspace(workspace).
		SetAPIURL(apiURL)
	if in.Description != nil {
		update.SetDescription(*in.Description)
	}
	if in.Token != nil {
		env, err := s.sealGitToken(*in.Token, gitBinding(t.OrganizationID, t.ID))
		if err != nil {
			return nil, err
		}
		update.SetSecrets(map[string]string{gitSecret: env}).AddSecretsVersion(1).ClearExpiresAt()
	}
	return change.Update(ctx, gitTokenKind, t, "input", update, update.Mutation())
}

// DeleteGitToken deletes Git token id.
func (s *Service) DeleteGitToken(ctx context.Context, tokenID string) (string, error) {
	client := database.Client(ctx, s.Client)
	t, err := client.GitToken.Get(ctx, tokenID)
	if err != nil {
		return "", err
	}
	return change.Delete(ctx, client, gitTokenKind, t, client.GitToken.DeleteOne(t))
}
