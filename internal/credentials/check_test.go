package credentials_test

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// The secrets the fakes accept; none may appear in an answer or a log line.
const (
	registryPassword = "registry-password-7f3a"
	gitSecretValue   = "ghp_git-token-secret-91c2"
	helmPassword     = "helm-password-c0d4"
)

// fakeServices is a TLS server on loopback shaped like a registry (/v2/), a
// GitHub Enterprise API (/api/v3/user) and a Helm repository
// (/charts/index.yaml), accepting only the secrets above.
func fakeServices(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "acme" || p != registryPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		_, _ = w.Write([]byte("{}"))
	})
	mux.HandleFunc("/api/v3/user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+gitSecretValue {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Bad credentials"}`))
			return
		}
		w.Header().Set("X-OAuth-Scopes", "repo, admin:repo_hook")
		w.Header().Set("GitHub-Authentication-Token-Expiration", "2027-03-04 05:06:07 UTC")
		_, _ = w.Write([]byte(`{"login":"acme-bot","id":1}`))
	})
	mux.HandleFunc("/charts/index.yaml", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "acme" || p != helmPassword {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("apiVersion: v1\nentries:\n  web: []\n"))
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// hangingService accepts TLS connections and answers nothing until released
// (or the client gives up).
func hangingService(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return srv, release
}

// closedAddress is an https URL on loopback where nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	return url
}

// trusting makes the server's checks trust the fakes' certificates and, when
// private is true, reach loopback.
func trusting(e *testkit.Env, t *testing.T, private bool, timeout time.Duration, fakes ...*httptest.Server) {
	t.Helper()
	pool := x509.NewCertPool()
	for _, f := range fakes {
		pool.AddCert(f.Certificate())
	}
	e.Reconfigure(t, func(o *server.Options) {
		o.Checker = &credcheck.Checker{RootCAs: pool, AllowPrivateNetworks: private, Timeout: timeout}
	})
}

const (
	checkRegistryDoc = `mutation($id: ID!) { checkContainerRegistry(id: $id) { status message checkedAt } }`
	checkGitDoc      = `mutation($id: ID!) { checkGitToken(id: $id) { status message checkedAt } }`
	checkHelmDoc     = `mutation($id: ID!) { checkHelmRepository(id: $id) { status message checkedAt } }`
)

type checkOut struct{ Status, Message, CheckedAt string }

func check(t *testing.T, c *testkit.Client, doc, id string) checkOut {
	t.Helper()
	var out map[string]checkOut
	c.Do(t, doc, map[string]any{"id": id}).OK(t, &out)
	for _, v := range out {
		return v
	}
	t.Fatal("no check in the answer")
	return checkOut{}
}

func createdID(t *testing.T, resp *testkit.Response) string {
	t.Helper()
	var out map[string]struct{ ID string }
	resp.OK(t, &out)
	for _, v := range out {
		return v.ID
	}
	t.Fatal("nothing created")
	return ""
}

func newRegistry(t *testing.T, c *testkit.Client, org testkit.Org, url, password string) string {
	t.Helper()
	return createdID(t, c.Do(t, `mutation($org: ID!, $name: String!, $url: String!, $password: String!) {
		createContainerRegistry(organizationID: $org, input: {name: $name, kind: GENERIC_CR, url: $url, config: {username: "acme", password: $password}}) { id }
	}`, map[string]any{"org": org.ID, "name": testkit.Unique("registry"), "url": url, "password": password}))
}

func newGitToken(t *testing.T, c *testkit.Client, org testkit.Org, apiURL, tok string) string {
	t.Helper()
	return createdID(t, c.Do(t, `mutation($org: ID!, $name: String!, $api: String!, $token: String!) {
		createGitToken(organizationID: $org, input: {name: $name, provider: GITHUB, apiURL: $api, token: $token}) { id }
	}`, map[string]any{"org": org.ID, "name": testkit.Unique("git"), "api": apiURL, "token": tok}))
}

func newHelmRepository(t *testing.T, c *testkit.Client, org testkit.Org, url, password string) string {
	t.Helper()
	return createdID(t, c.Do(t, `mutation($org: ID!, $name: String!, $url: String!, $password: String!) {
		createHelmRepository(organizationID: $org, input: {name: $name, kind: HTTPS, url: $url, config: {username: "acme", password: $password}}) { id }
	}`, map[string]any{"org": org.ID, "name": testkit.Unique("helm"), "url": url, "password": password}))
}

// The three checks against services on loopback: good credentials, wrong
// ones, an address where nothing listens and a host that does not answer in
// time, each answered with its status and none with a secret, in the answer
// or the log. A Git token's expiry, as the provider reports it, is recorded.
func TestChecksAgainstTheServices(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		fake := fakeServices(t)
		slow, _ := hangingService(t)
		trusting(e, t, true, 500*time.Millisecond, fake, slow)
		closed := closedAddress(t)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)

		for _, c := range []struct {
			name, doc, id, status string
		}{
			{"registry, good", checkRegistryDoc, newRegistry(t, alice, org, fake.URL, registryPassword), "OK"},
			{"registry, wrong password", checkRegistryDoc, newRegistry(t, alice, org, fake.URL+"/", "wrong-"+registryPassword), "INVALID_CREDENTIALS"},
			{"registry, unreachable", checkRegistryDoc, newRegistry(t, alice, org, closed, registryPassword), "UNREACHABLE"},
			{"registry, slow", checkRegistryDoc, newRegistry(t, alice, org, slow.URL, registryPassword), "TIMEOUT"},
			{"git token, good", checkGitDoc, newGitToken(t, alice, org, fake.URL+"/api/v3", gitSecretValue), "OK"},
			{"git token, wrong", checkGitDoc, newGitToken(t, alice, org, fake.URL+"/api/v3", "ghp_wrong-"+gitSecretValue), "INVALID_CREDENTIALS"},
			{"git token, unreachable", checkGitDoc, newGitToken(t, alice, org, closed+"/api/v3", gitSecretValue), "UNREACHABLE"},
			{"git token, slow", checkGitDoc, newGitToken(t, alice, org, slow.URL+"/api/v3", gitSecretValue), "TIMEOUT"},
			{"helm, good", checkHelmDoc, newHelmRepository(t, alice, org, fake.URL+"/charts", helmPassword), "OK"},
			{"helm, wrong password", checkHelmDoc, newHelmRepository(t, alice, org, fake.URL+"/charts/", "wrong-"+helmPassword), "INVALID_CREDENTIALS"},
			{"helm, unreachable", checkHelmDoc, newHelmRepository(t, alice, org, closed+"/charts", helmPassword), "UNREACHABLE"},
			{"helm, slow", checkHelmDoc, newHelmRepository(t, alice, org, slow.URL+"/charts", helmPassword), "TIMEOUT"},
		} {
			got := check(t, alice, c.doc, c.id)
			if got.Status != c.status || got.Message == "" || got.CheckedAt == "" {
				t.Errorf("%s: %+v, want status %s with a message", c.name, got, c.status)
			}
		}

		var tok struct {
			Node struct{ ExpiresAt *string } `json:"node"`
		}
		gitID := newGitToken(t, alice, org, fake.URL+"/api/v3", gitSecretValue)
		check(t, alice, checkGitDoc, gitID)
		alice.Do(t, `query($id: ID!) { node(id: $id) { ... on GitToken { expiresAt } } }`, map[string]any{"id": gitID}).OK(t, &tok)
		if tok.Node.ExpiresAt == nil || *tok.Node.ExpiresAt != "2027-03-04T05:06:07Z" {
			t.Errorf("git token expiry %v, want the provider's 2027-03-04T05:06:07Z", tok.Node.ExpiresAt)
		}

		for _, s := range []string{registryPassword, gitSecretValue, helmPassword} {
			for _, body := range e.Responses() {
				if strings.Contains(body, s) {
					t.Errorf("an answer holds a secret: %s", body)
				}
			}
			if strings.Contains(e.Logs(), s) {
				t.Errorf("the log holds a secret:\n%s", e.Logs())
			}
		}
	})
}

// Checks reach public addresses only, unless --allow-private-check-targets:
// a registry on loopback is BLOCKED_ADDRESS and is not contacted.
func TestChecksRefusePrivateAddresses(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		contacted := false
		fake := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { contacted = true }))
		t.Cleanup(fake.Close)
		trusting(e, t, false, time.Second, fake)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		for _, c := range []struct{ doc, id string }{
			{checkRegistryDoc, newRegistry(t, alice, org, fake.URL, registryPassword)},
			{checkGitDoc, newGitToken(t, alice, org, fake.URL+"/api/v3", gitSecretValue)},
			{checkHelmDoc, newHelmRepository(t, alice, org, fake.URL+"/charts", helmPassword)},
		} {
			if got := check(t, alice, c.doc, c.id); got.Status != "BLOCKED_ADDRESS" {
				t.Errorf("%s: %+v, want BLOCKED_ADDRESS", c.doc, got)
			}
		}
		if contacted {
			t.Error("a check reached the loopback service")
		}
	})
}

// Checking needs MANAGE_SETTINGS; another organization's member cannot
// check, nor learn that the row exists.
func TestChecksNeedTheSettingsCapability(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		fake := fakeServices(t)
		trusting(e, t, true, time.Second, fake)
		alice, viewer := e.SignIn(t, "alice"), e.SignIn(t, "viewer")
		org := alice.CreateOrg(t)
		e.AddMember(t, org, viewer, rbac.Viewer)
		mallory := e.SignIn(t, "mallory")
		mallory.CreateOrg(t)
		for _, c := range []struct{ doc, id string }{
			{checkRegistryDoc, newRegistry(t, alice, org, fake.URL, registryPassword)},
			{checkGitDoc, newGitToken(t, alice, org, fake.URL+"/api/v3", gitSecretValue)},
			{checkHelmDoc, newHelmRepository(t, alice, org, fake.URL+"/charts", helmPassword)},
		} {
			viewer.Do(t, c.doc, map[string]any{"id": c.id}).Err(t, "FORBIDDEN")
			mallory.Do(t, c.doc, map[string]any{"id": c.id}).Err(t, "NOT_FOUND")
		}
	})
}

// A check waiting on a slow service holds no transaction: another write
// completes while the service has not answered yet (on SQLite a held
// transaction is the database's one write lock).
func TestAPendingCheckDoesNotBlockWrites(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		slow, release := hangingService(t)
		trusting(e, t, true, 20*time.Second, slow)
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		id := newRegistry(t, alice, org, slow.URL, registryPassword)

		checked := make(chan checkOut, 1)
		go func() {
			var out map[string]checkOut
			body := alice.Do(t, checkRegistryDoc, map[string]any{"id": id})
			_ = json.Unmarshal(body.Data, &out)
			checked <- out["checkContainerRegistry"]
		}()
		// The check is in flight until released; this write must not wait for it.
		wrote := make(chan *testkit.Response, 1)
		go func() {
			wrote <- alice.Do(t, `mutation($org: ID!) { createProject(organizationID: $org, input: {name: "during"}) { id } }`,
				map[string]any{"org": org.ID})
		}()
		select {
		case resp := <-wrote:
			resp.OK(t, nil)
		case got := <-checked:
			t.Fatalf("the check answered (%+v) before the write finished", got)
		}
		close(release)
		// Released, the service answers a 401 with no challenge.
		if got := <-checked; got.Status != "UNEXPECTED_RESPONSE" {
			t.Errorf("released check: %+v", got)
		}
	})
}
