package credcheck

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Git providers, as organizations store them.
const (
	ProviderGitHub    = "GITHUB"
	ProviderGitLab    = "GITLAB"
	ProviderBitbucket = "BITBUCKET"
)

// Scopes a classic GitHub token needs for what Qovery does with it (clone
// private repositories, manage their webhooks), and the GitLab scope that
// grants the API and Git over HTTP.
var (
	gitHubScopes = []string{"repo", "admin:repo_hook"}
	gitLabScopes = []string{"api"}
)

var bitbucketWorkspace = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// GitToken checks a git provider token against the provider's API. apiURL,
// when set, replaces the provider's default base: a GitHub Enterprise
// Server's https://host (or its API, https://host/api/v3), a self-hosted
// GitLab's https://host. workspace is Bitbucket's.
func (c *Checker) GitToken(ctx context.Context, provider, apiURL, workspace, token string) Result {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	if strings.TrimSpace(token) == "" {
		return result(InvalidConfiguration, "the token is not set")
	}
	var def string
	switch provider {
	case ProviderGitHub:
		def = orDefault(c.GitHubAPI, "https://api.github.com")
	case ProviderGitLab:
		def = orDefault(c.GitLabURL, "https://gitlab.com")
	case ProviderBitbucket:
		def = orDefault(c.BitbucketAPI, "https://api.bitbucket.org")
	default:
		return result(NotSupported, "unknown git provider")
	}
	base, bad := parseHTTPS(orDefault(apiURL, def), "API URL")
	if bad != nil {
		return *bad
	}
	cl := c.client(false)
	defer cl.CloseIdleConnections()
	switch provider {
	case ProviderGitHub:
		// Qovery asks for a GitHub Enterprise Server's host URL; its API is
		// under /api/v3. API hosts (api.github.com, GitHub Enterprise
		// Cloud's api.<name>.ghe.com) serve it at the root.
		if apiURL != "" && trimSlash(base.Path) == "" && !strings.HasPrefix(strings.ToLower(base.Hostname()), "api.") {
			base.Path = "/api/v3"
		}
		return c.gitHub(ctx, cl, base, token)
	case ProviderGitLab:
		base.Path = strings.TrimSuffix(trimSlash(base.Path), "/api/v4")
		return c.gitLab(ctx, cl, base, token)
	default:
		return c.bitbucket(ctx, cl, base, workspace, token)
	}
}

// gitHub asks GET /user. GitHub reports an expiring token's expiry in the
// GitHub-Authentication-Token-Expiration header, and a classic token's
// scopes in X-OAuth-Scopes (fine-grained tokens have no such header).
func (c *Checker) gitHub(ctx context.Context, cl *http.Client, base *url.URL, token string) Result {
	req := newRequest(ctx, http.MethodGet, endpoint(base, "/user"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return result(InvalidCredentials, "GitHub refused the token (401)")
	case http.StatusForbidden:
		if a.header.Get("X-Ratelimit-Remaining") == "0" {
			return result(UnexpectedResponse, "GitHub is rate limiting requests; try again later")
		}
		return result(Forbidden, "GitHub refused access with this token (403)")
	case http.StatusNotFound:
		return result(NotFound, "no GitHub API at this address (/user answered 404); GitHub Enterprise Server's API is at https://<host>/api/v3")
	default:
		return statusResult(a.status, "GitHub")
	}
	var user struct {
		Login string `json:"login"`
	}
	if a.truncated || json.Unmarshal(a.body, &user) != nil || user.Login == "" {
		return result(UnexpectedResponse, "the answer is not GitHub's API; GitHub Enterprise Server's API is at https://<host>/api/v3")
	}
	if scopes, classic := a.header["X-Oauth-Scopes"]; classic {
		if missing := missingScopes(strings.Join(scopes, ","), ",", gitHubScopes); missing != "" {
			return result(Forbidden, "the token lacks the %s scope", missing)
		}
	}
	r := result(OK, "GitHub accepted the token")
	r.ExpiresAt = parseGitHubExpiry(a.header.Get("Github-Authentication-Token-Expiration"))
	return r
}

// parseGitHubExpiry reads "2026-01-01 00:00:00 UTC" (GitHub's form), a
// numeric zone, or RFC 3339; anything else is no expiry known.
func parseGitHubExpiry(v string) *time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05 -0700", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return &t
		}
	}
	if rest, ok := strings.CutSuffix(v, " UTC"); ok {
		if t, err := time.ParseInLocation(time.DateTime, rest, time.UTC); err == nil {
			return &t
		}
	}
	return nil
}

// gitLab asks GET /api/v4/personal_access_tokens/self, which describes the
// token itself (personal, project and group access tokens), expiry and
// scopes included; where it is missing (404: an older GitLab, or a token of
// another type) GET /api/v4/user at least proves the token.
func (c *Checker) gitLab(ctx context.Context, cl *http.Client, base *url.URL, token string) Result {
	req := newRequest(ctx, http.MethodGet, endpoint(base, "/api/v4/personal_access_tokens/self"))
	req.Header.Set("Private-Token", token)
	req.Header.Set("Accept", "application/json")
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
	case http.StatusNotFound:
		return c.gitLabUser(ctx, cl, base, token)
	default:
		return gitLabStatus(a.status)
	}
	var self struct {
		Active    *bool    `json:"active"`
		Revoked   bool     `json:"revoked"`
		Scopes    []string `json:"scopes"`
		ExpiresAt *string  `json:"expires_at"`
	}
	if a.truncated || json.Unmarshal(a.body, &self) != nil || self.Active == nil {
		return result(UnexpectedResponse, "the answer is not GitLab's API")
	}
	if self.Revoked || !*self.Active {
		return result(InvalidCredentials, "GitLab reports the token as revoked or expired")
	}
	if missing := missingScopes(strings.Join(self.Scopes, " "), " ", gitLabScopes); missing != "" {
		return result(Forbidden, "the token lacks the %s scope", missing)
	}
	r := result(OK, "GitLab accepted the token")
	if self.ExpiresAt != nil {
		r.ExpiresAt = parseGitLabExpiry(*self.ExpiresAt)
	}
	return r
}

func (c *Checker) gitLabUser(ctx context.Context, cl *http.Client, base *url.URL, token string) Result {
	req := newRequest(ctx, http.MethodGet, endpoint(base, "/api/v4/user"))
	req.Header.Set("Private-Token", token)
	req.Header.Set("Accept", "application/json")
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	if a.status != http.StatusOK {
		return gitLabStatus(a.status)
	}
	var user struct {
		Username string `json:"username"`
	}
	if a.truncated || json.Unmarshal(a.body, &user) != nil || user.Username == "" {
		return result(UnexpectedResponse, "the answer is not GitLab's API")
	}
	return result(OK, "GitLab accepted the token (its expiry and scopes are not reported for this token type)")
}

func gitLabStatus(code int) Result {
	switch code {
	case http.StatusUnauthorized:
		return result(InvalidCredentials, "GitLab refused the token (401)")
	case http.StatusForbidden:
		return result(Forbidden, "GitLab refused access with this token (403); it needs the api scope")
	case http.StatusNotFound:
		return result(NotFound, "no GitLab API at this address (/api/v4 answered 404)")
	default:
		return statusResult(code, "GitLab")
	}
}

// parseGitLabExpiry reads expires_at, a date ("2026-01-01", the token
// expiring at the start of that day, UTC) or a timestamp.
func parseGitLabExpiry(v string) *time.Time {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return &t
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		t = t.UTC()
		return &t
	}
	return nil
}

// bitbucket checks the token where Qovery uses it. With a workspace it
// lists the workspace's repositories (GET /2.0/repositories/{workspace}),
// which repository, project and workspace access tokens with the
// Repositories read permission can do; GET /2.0/user refuses those tokens.
// Without a workspace it asks GET /2.0/user, which only a user's token can
// answer. Bitbucket does not report a token's expiry.
func (c *Checker) bitbucket(ctx context.Context, cl *http.Client, base *url.URL, workspace, token string) Result {
	workspace = strings.TrimSpace(workspace)
	var u *url.URL
	if workspace == "" {
		u = endpoint(base, "/2.0/user")
	} else {
		if !bitbucketWorkspace.MatchString(workspace) {
			return result(InvalidConfiguration, "the workspace is not a valid Bitbucket workspace ID")
		}
		u = endpoint(base, "/2.0/repositories/"+url.PathEscape(workspace))
		u.RawQuery = "pagelen=1"
	}
	req := newRequest(ctx, http.MethodGet, u)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return result(InvalidCredentials, "Bitbucket refused the token (401)")
	case http.StatusForbidden:
		if workspace == "" {
			return result(Forbidden, "Bitbucket refused access with this token (403)")
		}
		return result(Forbidden, "the token may not read the workspace's repositories (403)")
	case http.StatusNotFound:
		if workspace == "" {
			return result(NotFound, "no Bitbucket API at this address (/2.0/user answered 404)")
		}
		return result(NotFound, "Bitbucket knows no such workspace (404)")
	default:
		return statusResult(a.status, "Bitbucket")
	}
	if workspace == "" {
		var user struct {
			UUID string `json:"uuid"`
		}
		if a.truncated || json.Unmarshal(a.body, &user) != nil || user.UUID == "" {
			return result(UnexpectedResponse, "the answer is not Bitbucket's API")
		}
		return result(OK, "Bitbucket accepted the token")
	}
	var page struct {
		Values *[]json.RawMessage `json:"values"`
	}
	if a.truncated || json.Unmarshal(a.body, &page) != nil || page.Values == nil {
		return result(UnexpectedResponse, "the answer is not Bitbucket's API")
	}
	if len(*page.Values) == 0 {
		return result(OK, "Bitbucket accepted the token, but it sees no repository in the workspace")
	}
	return result(OK, "Bitbucket accepted the token and it can read the workspace's repositories")
}

// missingScopes names the first of want that the sep-separated list lacks.
func missingScopes(list, sep string, want []string) string {
	have := map[string]bool{}
	for _, s := range strings.Split(list, sep) {
		have[strings.TrimSpace(s)] = true
	}
	for _, w := range want {
		if !have[w] {
			return w
		}
	}
	return ""
}
