package credentials

import (
	"context"
	"fmt"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/change"
	"github.com/orgql/orgql/internal/credcheck"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/tenancy"
)

// Checker calls the services credentials are for: *credcheck.Checker, or a
// fake in tests.
type Checker interface {
	ContainerRegistry(ctx context.Context, kind, registryURL string, creds map[string]string) Result
	GitToken(ctx context.Context, provider, apiURL, workspace, token string) Result
	HelmRepository(ctx context.Context, kind, repoURL string, skipTLSVerification bool, creds map[string]string) Result
}

// Result is what a Checker found.
type Result = credcheck.Result

// openAll opens a row's sealed secrets; ok is false when one cannot be
// opened (its key is not configured, or it was tampered with).
func (s *Service) openAll(secrets map[string]string, bind secret.Binding) (map[string]string, bool) {
	out := make(map[string]string, len(secrets))
	for name, env := range secrets {
		b := bind
		b.Field = name
		v, err := s.Keys.Open(env, b)
		if err != nil {
			return nil, false
		}
		out[name] = v
	}
	return out, true
}

// credentials merges a row's settings and opened secrets, by name, as the checker takes them.
func credentialsOf(config map[string]any, secrets map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range config {
		out[k] = fmt.Sprint(v)
	}
	for k, v := range secrets {
		out[k] = v
	}
	return out
}

func (s *Service) checked(r Result) *Check {
	return &Check{Status: CheckStatus(r.Status), Message: r.Message, CheckedAt: s.now().UTC()}
}

var unreadable = Result{Status: credcheck.Status(CheckSecretUnreadable), Message: "the stored credential cannot be opened with this server's secret keys"}

// CheckRegistry checks container registry id's stored credentials against the registry.
func (s *Service) CheckRegistry(ctx context.Context, registryID string) (*Check, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.ContainerRegistry.Get(ctx, registryID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeContainerRegistry, r.OrganizationID); err != nil {
		return nil, err
	}
	secrets, ok := s.openAll(r.Secrets, registryBinding(r.OrganizationID, r.ID))
	if !ok {
		return s.checked(unreadable), nil
	}
	return s.checked(s.Checker.ContainerRegistry(ctx, string(r.Kind), r.URL, credentialsOf(r.Config, secrets))), nil
}

// CheckHelmRepository checks Helm repository id's stored credentials against the repository.
func (s *Service) CheckHelmRepository(ctx context.Context, repoID string) (*Check, error) {
	client := database.Client(ctx, s.Client)
	r, err := client.HelmRepository.Get(ctx, repoID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeHelmRepository, r.OrganizationID); err != nil {
		return nil, err
	}
	secrets, ok := s.openAll(r.Secrets, helmBinding(r.OrganizationID, r.ID))
	if !ok {
		return s.checked(unreadable), nil
	}
	return s.checked(s.Checker.HelmRepository(ctx, string(r.Kind), r.URL, r.SkipTLSVerification, credentialsOf(r.Config, secrets))), nil
}

// CheckGitToken checks Git token id against its provider, and records the
// expiry the provider reports (an UPDATE event when it changed). The checks
// run outside the mutation's transaction (internal/server's
// outsideTransaction), so the write has its own.
func (s *Service) CheckGitToken(ctx context.Context, tokenID string) (*Check, error) {
	client := database.Client(ctx, s.Client)
	t, err := client.GitToken.Get(ctx, tokenID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.AuthorizeWrite(ctx, client, ent.TypeGitToken, t.OrganizationID); err != nil {
		return nil, err
	}
	value, err := s.Keys.Open(t.Secrets[gitSecret], gitBinding(t.OrganizationID, t.ID))
	if err != nil {
		return s.checked(unreadable), nil
	}
	res := s.Checker.GitToken(ctx, string(t.Provider), t.APIURL, t.Workspace, value)
	if res.ExpiresAt != nil && (t.ExpiresAt == nil || !t.ExpiresAt.Equal(*res.ExpiresAt)) {
		err := database.InTx(ctx, client, func(ctx context.Context) error {
			update := database.Client(ctx, client).GitToken.UpdateOne(t).SetExpiresAt(res.ExpiresAt.UTC().Truncate(time.Microsecond))
			_, err := change.Update(ctx, gitTokenKind, t, "", update, update.Mutation())
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return s.checked(res), nil
}
