package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/orgql/orgql/ent/user"
	"github.com/orgql/orgql/internal/auth"
	"github.com/orgql/orgql/internal/config"
)

// Provider is one Git provider users sign in through: its OAuth endpoints
// and how its API tells who the user is.
type Provider struct {
	// Name is the provider's path segment: github, gitlab or bitbucket.
	Name string
	// Title is the provider's name as people read it.
	Title  string
	Kind   user.Provider
	OAuth  oauth2.Config
	apiURL string
	fetch  func(ctx context.Context, c *http.Client, api string) (auth.Profile, error)
}

// errMalformed is a provider answer that does not have the expected shape.
var errMalformed = errors.New("malformed provider answer")

// Providers returns the configured providers, by name; callbackBase is the
// server's public URL.
func Providers(cfg config.Config) map[string]*Provider {
	base := strings.TrimRight(cfg.PublicURL, "/")
	out := map[string]*Provider{}
	add := func(p *Provider, app config.OAuthApp, authURL, tokenURL string, style oauth2.AuthStyle) {
		if !app.Enabled() {
			return
		}
		p.OAuth = oauth2.Config{
			ClientID:     app.ClientID,
			ClientSecret: app.ClientSecret,
			Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: style},
			RedirectURL:  base + "/auth/" + p.Name + "/callback",
			Scopes:       strings.Fields(strings.ReplaceAll(app.Scopes, ",", " ")),
		}
		out[p.Name] = p
	}
	gh := strings.TrimRight(cfg.SignIn.GitHub.URL, "/")
	add(&Provider{Name: "github", Title: "GitHub", Kind: user.ProviderGITHUB, apiURL: strings.TrimRight(cfg.GitHubAPIURL, "/"), fetch: githubProfile},
		cfg.SignIn.GitHub, gh+"/login/oauth/authorize", gh+"/login/oauth/access_token", oauth2.AuthStyleInParams)
	gl := strings.TrimRight(cfg.GitLabURL, "/")
	add(&Provider{Name: "gitlab", Title: "GitLab", Kind: user.ProviderGITLAB, apiURL: gl + "/api/v4", fetch: gitlabProfile},
		cfg.SignIn.GitLab, gl+"/oauth/authorize", gl+"/oauth/token", oauth2.AuthStyleInParams)
	bb := strings.TrimRight(cfg.SignIn.Bitbucket.URL, "/")
	add(&Provider{Name: "bitbucket", Title: "Bitbucket", Kind: user.ProviderBITBUCKET, apiURL: strings.TrimRight(cfg.BitbucketAPIURL, "/") + "/2.0", fetch: bitbucketProfile},
		cfg.SignIn.Bitbucket, bb+"/site/oauth2/authorize", bb+"/site/oauth2/access_token", oauth2.AuthStyleInHeader)
	return out
}

// Profile fetches the signed-in user's profile and primary verified e-mail
// with c, an HTTP client carrying the user's access token.
func (p *Provider) Profile(ctx context.Context, c *http.Client) (auth.Profile, error) {
	prof, err := p.fetch(ctx, c, p.apiURL)
	if err != nil {
		return auth.Profile{}, err
	}
	prof.Provider = p.Kind
	if prof.ProviderUserID == "" || prof.Login == "" {
		return auth.Profile{}, fmt.Errorf("%s profile without id or login: %w", p.Name, errMalformed)
	}
	for _, f := range []string{prof.ProviderUserID, prof.Login, prof.Name, prof.Email, prof.AvatarURL} {
		if len(f) > 1024 || strings.ContainsRune(f, 0) || !utf8.ValidString(f) {
			return auth.Profile{}, fmt.Errorf("%s profile: %w", p.Name, errMalformed)
		}
	}
	return prof, nil
}

// maxAnswer bounds what is read of one provider answer.
const maxAnswer = 1 << 20

// getJSON GETs url and decodes its JSON answer into v.
func getJSON(ctx context.Context, c *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxAnswer))
		return fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxAnswer)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, errMalformed)
	}
	return nil
}

// flexID reads an id that a provider sends as a number or a string.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return errMalformed
		}
		*f = flexID(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errMalformed
	}
	*f = flexID(s)
	return nil
}

// githubProfile reads GET /user and, for the e-mail, GET /user/emails:
// the primary address, if verified (GitHub's /user shows only a public one).
func githubProfile(ctx context.Context, c *http.Client, api string) (auth.Profile, error) {
	var u struct {
		ID        flexID `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		AvatarURL string `json:"avatar_url"`
	}
	if err := getJSON(ctx, c, api+"/user", &u); err != nil {
		return auth.Profile{}, err
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := getJSON(ctx, c, api+"/user/emails", &emails); err != nil {
		return auth.Profile{}, err
	}
	p := auth.Profile{ProviderUserID: string(u.ID), Login: u.Login, Name: u.Name, AvatarURL: u.AvatarURL}
	for _, e := range emails {
		if e.Primary && e.Verified {
			p.Email = e.Email
		}
	}
	return p, nil
}

// gitlabProfile reads GET /user: its email is the primary one, taken only
// once confirmed (confirmed_at set).
func gitlabProfile(ctx context.Context, c *http.Client, api string) (auth.Profile, error) {
	var u struct {
		ID          flexID  `json:"id"`
		Username    string  `json:"username"`
		Name        string  `json:"name"`
		AvatarURL   string  `json:"avatar_url"`
		Email       string  `json:"email"`
		ConfirmedAt *string `json:"confirmed_at"`
	}
	if err := getJSON(ctx, c, api+"/user", &u); err != nil {
		return auth.Profile{}, err
	}
	p := auth.Profile{ProviderUserID: string(u.ID), Login: u.Username, Name: u.Name, AvatarURL: u.AvatarURL}
	if u.ConfirmedAt != nil && *u.ConfirmedAt != "" {
		p.Email = u.Email
	}
	return p, nil
}

// bitbucketProfile reads GET /2.0/user (the user's uuid is their stable id)
// and GET /2.0/user/emails for the primary confirmed address.
func bitbucketProfile(ctx context.Context, c *http.Client, api string) (auth.Profile, error) {
	var u struct {
		UUID        string `json:"uuid"`
		Username    string `json:"username"`
		Nickname    string `json:"nickname"`
		DisplayName string `json:"display_name"`
		Links       struct {
			Avatar struct {
				Href string `json:"href"`
			} `json:"avatar"`
		} `json:"links"`
	}
	if err := getJSON(ctx, c, api+"/user", &u); err != nil {
		return auth.Profile{}, err
	}
	var emails struct {
		Values []struct {
			Email       string `json:"email"`
			IsPrimary   bool   `json:"is_primary"`
			IsConfirmed bool   `json:"is_confirmed"`
		} `json:"values"`
	}
	if err := getJSON(ctx, c, api+"/user/emails", &emails); err != nil {
		return auth.Profile{}, err
	}
	login := u.Username
	if login == "" {
		login = u.Nickname
	}
	p := auth.Profile{ProviderUserID: u.UUID, Login: login, Name: u.DisplayName, AvatarURL: u.Links.Avatar.Href}
	for _, e := range emails.Values {
		if e.IsPrimary && e.IsConfirmed {
			p.Email = e.Email
		}
	}
	return p, nil
}
