package credcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

// gitCase runs one GitToken check against a fake provider API serving h.
type gitCase struct {
	name      string
	provider  string
	workspace string
	token     string
	h         http.HandlerFunc
	want      credcheck.Status
	expires   *time.Time
	check     func(t *testing.T, seen []*http.Request)
}

func runGitCases(t *testing.T, cases []gitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.h)
			c := checker(f)
			c.GitHubAPI, c.GitLabURL, c.BitbucketAPI = f.URL, f.URL, f.URL
			token := tc.token
			if token == "" {
				token = secretToken
			}
			r := c.GitToken(context.Background(), tc.provider, "", tc.workspace, token)
			expect(t, r, tc.want)
			switch {
			case tc.expires == nil && r.ExpiresAt != nil:
				t.Fatalf("ExpiresAt = %v, want none", r.ExpiresAt)
			case tc.expires != nil && (r.ExpiresAt == nil || !r.ExpiresAt.Equal(*tc.expires)):
				t.Fatalf("ExpiresAt = %v, want %v", r.ExpiresAt, tc.expires)
			}
			if tc.check != nil {
				tc.check(t, f.seen())
			}
		})
	}
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// gitHubUser is GitHub's /user for the known token.
func gitHubUser(headers map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/user" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+secretToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
			return
		}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		fmt.Fprint(w, `{"login":"octocat","id":1}`)
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func TestGitHub(t *testing.T) {
	const expiry = "Github-Authentication-Token-Expiration"
	runGitCases(t, []gitCase{
		{name: "good token, fine-grained (no scopes header)", provider: credcheck.ProviderGitHub, h: gitHubUser(nil), want: credcheck.OK,
			check: func(t *testing.T, seen []*http.Request) {
				r := seen[0]
				if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") == "" || r.Header.Get("User-Agent") == "" {
					t.Fatalf("GitHub's API wants its Accept, version and User-Agent headers: %v", r.Header)
				}
			}},
		{name: "expiry reported", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{expiry: "2026-01-01 00:00:00 UTC"}), want: credcheck.OK, expires: at("2026-01-01T00:00:00Z")},
		{name: "expiry with a numeric zone", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{expiry: "2026-07-14 09:30:00 +0200"}), want: credcheck.OK, expires: at("2026-07-14T07:30:00Z")},
		{name: "expiry in RFC 3339", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{expiry: "2026-07-14T07:30:00Z"}), want: credcheck.OK, expires: at("2026-07-14T07:30:00Z")},
		{name: "expiry not understood", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{expiry: "next tuesday"}), want: credcheck.OK},
		{name: "expiry in an unknown zone", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{expiry: "2026-01-01 00:00:00 PST"}), want: credcheck.OK},
		{name: "classic token with the scopes", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{"X-OAuth-Scopes": "admin:repo_hook, read:org, repo"}), want: credcheck.OK},
		{name: "classic token without admin:repo_hook", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{"X-OAuth-Scopes": "repo, read:org"}), want: credcheck.Forbidden},
		{name: "classic token with no scope", provider: credcheck.ProviderGitHub, h: gitHubUser(map[string]string{"X-OAuth-Scopes": ""}), want: credcheck.Forbidden},
		{name: "wrong token", provider: credcheck.ProviderGitHub, token: "ghp_wrong", h: gitHubUser(nil), want: credcheck.InvalidCredentials},
		{name: "forbidden", provider: credcheck.ProviderGitHub, h: status(403, `{"message":"Resource not accessible by integration"}`), want: credcheck.Forbidden},
		{name: "rate limited", provider: credcheck.ProviderGitHub, h: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.WriteHeader(http.StatusForbidden)
		}, want: credcheck.UnexpectedResponse},
		{name: "no API there", provider: credcheck.ProviderGitHub, h: http.NotFound, want: credcheck.NotFound},
		{name: "a web page, not the API", provider: credcheck.ProviderGitHub, h: status(200, "<html>sign in</html>"), want: credcheck.UnexpectedResponse},
		{name: "JSON without a login", provider: credcheck.ProviderGitHub, h: status(200, `{"message":"hello"}`), want: credcheck.UnexpectedResponse},
		{name: "server error", provider: credcheck.ProviderGitHub, h: status(502, secretToken), want: credcheck.UnexpectedResponse},
	})
}

func TestGitHubEnterpriseAPIURL(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v3/user" {
			http.NotFound(w, r)
			return
		}
		gitHubUser(nil)(w, withPath(r, "/user"))
	})
	c := checker(f)
	for _, apiURL := range []string{f.URL + "/api/v3/", f.URL + "/api/v3", f.URL, f.URL + "/"} {
		expect(t, c.GitToken(context.Background(), credcheck.ProviderGitHub, apiURL, "", secretToken), credcheck.OK)
	}
	expect(t, c.GitToken(context.Background(), credcheck.ProviderGitHub, f.URL+"/elsewhere", "", secretToken), credcheck.NotFound)
	// The default API (api.github.com, here the fake) is used as it is.
	root := newFake(t, gitHubUser(nil))
	c = checker(root)
	c.GitHubAPI = root.URL
	expect(t, c.GitToken(context.Background(), credcheck.ProviderGitHub, "", "", secretToken), credcheck.OK)
}

func TestGitLabSelfHostedURL(t *testing.T) {
	f := newFake(t, gitLabAPI(`{"active":true,"revoked":false,"scopes":["api"]}`))
	c := checker(f)
	for _, apiURL := range []string{f.URL, f.URL + "/", f.URL + "/api/v4", f.URL + "/api/v4/"} {
		expect(t, c.GitToken(context.Background(), credcheck.ProviderGitLab, apiURL, "", secretToken), credcheck.OK)
	}
}

func withPath(r *http.Request, path string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	return r2
}

// gitLabAPI is a GitLab serving selfBody at /personal_access_tokens/self
// (404 when empty) and a user at /user, for the known token.
func gitLabAPI(selfBody string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Private-Token") != secretToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"401 Unauthorized"}`)
			return
		}
		switch {
		case r.URL.Path == "/api/v4/personal_access_tokens/self" && selfBody != "":
			fmt.Fprint(w, selfBody)
		case r.URL.Path == "/api/v4/user":
			fmt.Fprint(w, `{"id":1,"username":"root"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"404 Not Found"}`)
		}
	}
}

func TestGitLab(t *testing.T) {
	self := func(fields string) string {
		return `{"id":4,"name":"qovery","revoked":false,"created_at":"2025-07-23T14:31:47.729Z","scopes":["api","read_repository"],"user_id":24,"active":true` + fields + `}`
	}
	runGitCases(t, []gitCase{
		{name: "expiry as a date", provider: credcheck.ProviderGitLab, h: gitLabAPI(self(`,"expires_at":"2026-03-01"`)), want: credcheck.OK, expires: at("2026-03-01T00:00:00Z")},
		{name: "expiry as a timestamp", provider: credcheck.ProviderGitLab, h: gitLabAPI(self(`,"expires_at":"2026-03-01T12:00:00.000+01:00"`)), want: credcheck.OK, expires: at("2026-03-01T11:00:00Z")},
		{name: "no expiry", provider: credcheck.ProviderGitLab, h: gitLabAPI(self(`,"expires_at":null`)), want: credcheck.OK},
		{name: "expiry not understood", provider: credcheck.ProviderGitLab, h: gitLabAPI(self(`,"expires_at":"soon"`)), want: credcheck.OK},
		{name: "revoked", provider: credcheck.ProviderGitLab, h: gitLabAPI(`{"revoked":true,"active":false,"scopes":["api"]}`), want: credcheck.InvalidCredentials},
		{name: "inactive", provider: credcheck.ProviderGitLab, h: gitLabAPI(`{"revoked":false,"active":false,"scopes":["api"]}`), want: credcheck.InvalidCredentials},
		{name: "without the api scope", provider: credcheck.ProviderGitLab, h: gitLabAPI(`{"revoked":false,"active":true,"scopes":["read_api","read_repository"]}`), want: credcheck.Forbidden},
		{name: "wrong token", provider: credcheck.ProviderGitLab, token: "glpat-wrong", h: gitLabAPI(self("")), want: credcheck.InvalidCredentials,
			check: func(t *testing.T, seen []*http.Request) {
				if len(seen) != 1 {
					t.Fatalf("a refused token must not be tried elsewhere; %d requests", len(seen))
				}
			}},
		{name: "no self endpoint: falls back to the user", provider: credcheck.ProviderGitLab, h: gitLabAPI(""), want: credcheck.OK,
			check: func(t *testing.T, seen []*http.Request) {
				if len(seen) != 2 || seen[1].URL.Path != "/api/v4/user" || seen[1].Header.Get("Private-Token") != secretToken {
					t.Fatalf("want the fallback to /api/v4/user with the token")
				}
			}},
		{name: "no GitLab there", provider: credcheck.ProviderGitLab, h: http.NotFound, want: credcheck.NotFound},
		{name: "insufficient scope", provider: credcheck.ProviderGitLab, h: status(403, `{"error":"insufficient_scope"}`), want: credcheck.Forbidden},
		{name: "a web page, not the API", provider: credcheck.ProviderGitLab, h: status(200, "<html>"), want: credcheck.UnexpectedResponse},
		{name: "JSON that is not a token", provider: credcheck.ProviderGitLab, h: status(200, `{"hello":"world"}`), want: credcheck.UnexpectedResponse},
		{name: "fallback answers a web page", provider: credcheck.ProviderGitLab, h: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v4/user" {
				fmt.Fprint(w, "<html>")
				return
			}
			http.NotFound(w, r)
		}, want: credcheck.UnexpectedResponse},
		{name: "server error", provider: credcheck.ProviderGitLab, h: status(500, ""), want: credcheck.UnexpectedResponse},
	})
}

// bitbucketAPI lists the known workspace's repositories (repos of them) and
// serves /2.0/user, for the known token.
func bitbucketAPI(repos string, userOK bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretToken {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}`)
			return
		}
		switch r.URL.Path {
		case "/2.0/repositories/" + bitbucketSpace:
			if r.URL.Query().Get("pagelen") != "1" {
				http.Error(w, "want one repository", http.StatusBadRequest)
				return
			}
			fmt.Fprintf(w, `{"pagelen":1,"size":%d,"values":[%s]}`, len(repos), repos)
		case "/2.0/user":
			if !userOK {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{"type":"user","uuid":"{b1a2}","display_name":"Robot"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"type":"error","error":{"message":"No workspace with identifier"}}`)
		}
	}
}

func TestBitbucket(t *testing.T) {
	const repo = `{"type":"repository","full_name":"acme-team/api"}`
	runGitCases(t, []gitCase{
		// A repository or workspace access token: /2.0/user refuses it.
		{name: "workspace token reads the workspace", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, h: bitbucketAPI(repo, false), want: credcheck.OK},
		{name: "workspace with no visible repository", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, h: bitbucketAPI("", false), want: credcheck.OK},
		{name: "wrong token", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, token: "ATCTT-wrong", h: bitbucketAPI(repo, false), want: credcheck.InvalidCredentials},
		{name: "unknown workspace", provider: credcheck.ProviderBitbucket, workspace: "other-team", h: bitbucketAPI(repo, false), want: credcheck.NotFound},
		{name: "workspace not readable", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, h: status(403, `{"type":"error"}`), want: credcheck.Forbidden},
		{name: "workspace ID that is not one", provider: credcheck.ProviderBitbucket, workspace: "../2.0/user", h: bitbucketAPI(repo, true), want: credcheck.InvalidConfiguration,
			check: func(t *testing.T, seen []*http.Request) {
				if len(seen) != 0 {
					t.Fatal("a bad workspace ID must not be fetched")
				}
			}},
		{name: "user token without workspace", provider: credcheck.ProviderBitbucket, h: bitbucketAPI(repo, true), want: credcheck.OK},
		{name: "access token without workspace", provider: credcheck.ProviderBitbucket, h: bitbucketAPI(repo, false), want: credcheck.InvalidCredentials},
		{name: "not the API", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, h: status(200, `<html>`), want: credcheck.UnexpectedResponse},
		{name: "a page without values", provider: credcheck.ProviderBitbucket, workspace: bitbucketSpace, h: status(200, `{"size":0}`), want: credcheck.UnexpectedResponse},
		{name: "a user without uuid", provider: credcheck.ProviderBitbucket, h: status(200, `{"type":"user"}`), want: credcheck.UnexpectedResponse},
	})
}

func TestGitTokenSettings(t *testing.T) {
	f := newFake(t, gitHubUser(nil))
	c := checker(f)
	for _, tc := range []struct {
		name, provider, apiURL, token string
		want                          credcheck.Status
	}{
		{"unknown provider", "GITEA", f.URL, secretToken, credcheck.NotSupported},
		{"lower-case provider", "github", f.URL, secretToken, credcheck.NotSupported},
		{"no token", credcheck.ProviderGitHub, f.URL, " ", credcheck.InvalidConfiguration},
		{"plain-http API", credcheck.ProviderGitLab, "http://" + f.host(), secretToken, credcheck.InvalidConfiguration},
		{"API URL with credentials", credcheck.ProviderGitLab, "https://oauth2:" + secretToken + "@" + f.host(), secretToken, credcheck.InvalidConfiguration},
		{"API URL that is not one", credcheck.ProviderGitHub, "::", secretToken, credcheck.InvalidConfiguration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, c.GitToken(context.Background(), tc.provider, tc.apiURL, "", tc.token), tc.want)
		})
	}
	if n := len(f.seen()); n != 0 {
		t.Fatalf("refused settings must not be fetched; %d requests", n)
	}
}

func TestGitTokenUnreachableSlowAndTLS(t *testing.T) {
	for _, provider := range []string{credcheck.ProviderGitHub, credcheck.ProviderGitLab, credcheck.ProviderBitbucket} {
		t.Run(provider, func(t *testing.T) {
			f := newFake(t, hang)
			c := checker(f)
			expect(t, c.GitToken(context.Background(), provider, closedURL(t), bitbucketSpace, secretToken), credcheck.Unreachable)
			expect(t, c.GitToken(context.Background(), provider, "https://git.nonexistent.invalid", bitbucketSpace, secretToken), credcheck.Unreachable)

			slow := checker(f)
			slow.Timeout = 200 * time.Millisecond
			r := slow.GitToken(context.Background(), provider, f.URL, bitbucketSpace, secretToken)
			expect(t, r, credcheck.Timeout)
			if r.Message != "no answer within 200ms" {
				t.Fatalf("the message must give the time waited: %q", r.Message)
			}

			untrusting := &credcheck.Checker{AllowPrivateNetworks: true, Timeout: 5 * time.Second}
			expect(t, untrusting.GitToken(context.Background(), provider, f.URL, bitbucketSpace, secretToken), credcheck.TLSError)
		})
	}
}

func TestGitTokenRedirectToAnotherHostDropsTheToken(t *testing.T) {
	target := newFake(t, gitLabAPI(`{"active":true,"revoked":false,"scopes":["api"]}`))
	from := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := checker(from)
	c.GitLabURL = from.URL
	expect(t, c.GitToken(context.Background(), credcheck.ProviderGitLab, "", "", secretToken), credcheck.InvalidCredentials)
	seen := target.seen()
	if len(seen) == 0 {
		t.Fatal("the redirect was not followed")
	}
	for _, r := range seen {
		if r.Header.Get("Private-Token") != "" || r.Header.Get("Authorization") != "" {
			t.Fatal("the token followed a redirect to another host")
		}
	}

	// Never to plain http, where the token would travel in clear.
	plain, requests := newPlainServer(t)
	toPlain := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+plain+r.URL.Path, http.StatusFound)
	})
	for _, p := range []string{credcheck.ProviderGitHub, credcheck.ProviderGitLab, credcheck.ProviderBitbucket} {
		expect(t, checker(toPlain).GitToken(context.Background(), p, toPlain.URL, bitbucketSpace, secretToken), credcheck.UnexpectedResponse)
	}
	if n := requests(); n != 0 {
		t.Fatalf("a plain-http address was fetched %d times", n)
	}

	// The same host keeps it.
	same := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old/api/v4/personal_access_tokens/self" {
			http.Redirect(w, r, "/api/v4/personal_access_tokens/self", http.StatusMovedPermanently)
			return
		}
		gitLabAPI(`{"active":true,"revoked":false,"scopes":["api"]}`)(w, r)
	})
	expect(t, checker(same).GitToken(context.Background(), credcheck.ProviderGitLab, same.URL+"/old", "", secretToken), credcheck.OK)
}
