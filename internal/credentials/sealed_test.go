package credentials_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
	"github.com/orgql/orgql/internal/credentials"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// storedSecret reads the envelope of secret field of row id in table, past ent.
func storedSecret(t *testing.T, e *testkit.Env, table, id, field string) string {
	t.Helper()
	var raw []byte
	if err := e.DB.SQL.QueryRowContext(context.Background(), rebind(e, "SELECT secrets FROM "+table+" WHERE id = ?"), id).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var secrets map[string]string
	if err := json.Unmarshal(raw, &secrets); err != nil {
		t.Fatal(err)
	}
	return secrets[field]
}

func setSecrets(t *testing.T, e *testkit.Env, table, id string, secrets map[string]string) {
	t.Helper()
	raw, _ := json.Marshal(secrets)
	if _, err := e.DB.SQL.ExecContext(context.Background(), rebind(e, "UPDATE "+table+" SET secrets = ? WHERE id = ?"), string(raw), id); err != nil {
		t.Fatal(err)
	}
}

func rebind(e *testkit.Env, q string) string {
	if e.Backend != testkit.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fakeChecker records what a check was given and answers OK.
type fakeChecker struct {
	mu    sync.Mutex
	creds []map[string]string
	token []string
	// expires is what GitToken reports.
	expires *time.Time
}

func (f *fakeChecker) ContainerRegistry(_ context.Context, kind, url string, creds map[string]string) credentials.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creds = append(f.creds, creds)
	return credentials.Result{Status: credcheck.OK, Message: "the registry accepted the credentials"}
}

func (f *fakeChecker) GitToken(_ context.Context, provider, apiURL, workspace, token string) credentials.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = append(f.token, token)
	return credentials.Result{Status: credcheck.OK, Message: "ok", ExpiresAt: f.expires}
}

func (f *fakeChecker) HelmRepository(_ context.Context, kind, url string, skip bool, creds map[string]string) credentials.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creds = append(f.creds, creds)
	return credentials.Result{Status: credcheck.OK, Message: "ok"}
}

const checkRegistry = `mutation($id: ID!) { checkContainerRegistry(id: $id) { status message checkedAt } }`

// A sealed value opens only in its row and organization: moved anywhere
// else in the database it cannot be opened, and a check says so (never with
// the value) instead of using it. (Its field binds it too: the unit tests of
// internal/secret move it across fields, which no kind here has two of.)
func TestSealedSecretsOpenOnlyWhereTheyBelong(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		checker := &fakeChecker{}
		e.Reconfigure(t, func(o *server.Options) { o.Checker = checker })
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		a := create(t, alice, org, map[string]any{"name": "a", "kind": "GENERIC_CR", "url": "https://a.acme.dev", "config": map[string]any{"username": "u", "password": "password-of-a"}})
		b := create(t, alice, org, map[string]any{"name": "b", "kind": "GENERIC_CR", "url": "https://b.acme.dev", "config": map[string]any{"username": "u", "password": "password-of-b"}})
		bob := e.SignIn(t, "bob")
		other := bob.CreateOrg(t)
		c := create(t, bob, other, map[string]any{"name": "c", "kind": "GENERIC_CR", "url": "https://c.acme.dev", "config": map[string]any{"username": "u", "password": "password-of-c"}})

		var res struct {
			CheckContainerRegistry struct{ Status, Message string }
		}
		alice.Do(t, checkRegistry, map[string]any{"id": a.ID}).OK(t, &res)
		if res.CheckContainerRegistry.Status != "OK" || checker.creds[0]["password"] != "password-of-a" || checker.creds[0]["username"] != "u" {
			t.Fatalf("check of a: %+v, the checker got %v", res, checker.creds)
		}
		envA := storedSecret(t, e, "container_registries", a.ID, "password")
		for name, move := range map[string]func(){
			"another row":          func() { setSecrets(t, e, "container_registries", b.ID, map[string]string{"password": envA}) },
			"another organization": func() { setSecrets(t, e, "container_registries", c.ID, map[string]string{"password": envA}) },
		} {
			move()
			target, client := b.ID, alice
			if name == "another organization" {
				target, client = c.ID, bob
			}
			var moved struct {
				CheckContainerRegistry struct{ Status, Message string }
			}
			client.Do(t, checkRegistry, map[string]any{"id": target}).OK(t, &moved)
			if moved.CheckContainerRegistry.Status != "SECRET_UNREADABLE" || strings.Contains(moved.CheckContainerRegistry.Message, "password-of") {
				t.Errorf("%s: %+v", name, moved)
			}
		}
		for _, got := range checker.creds[1:] {
			t.Errorf("a moved secret reached the checker: %v", got)
		}
	})
}

// Rotation: with a new key first, every stored secret is sealed again under
// it, while the server keeps serving; afterwards the old key can be dropped
// and every secret still opens. A second rotation has nothing left to do.
func TestRotationResealsEverythingUnderTheNewKey(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		oldEntry, _ := secret.NewKey("old")
		oldKeys, _ := secret.Parse(oldEntry)
		checker := &fakeChecker{}
		e.Reconfigure(t, func(o *server.Options) { o.Keys, o.Checker = oldKeys, checker })
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		r := create(t, alice, org, map[string]any{"name": "r", "kind": "GENERIC_CR", "url": "https://r.acme.dev", "config": map[string]any{"username": "u", "password": "registry-secret"}})
		var g struct{ CreateGitToken struct{ ID string } }
		alice.Do(t, createGit, map[string]any{"org": org.ID, "input": map[string]any{"name": "g", "provider": "GITHUB", "token": "git-secret"}}).OK(t, &g)
		var h struct{ CreateHelmRepository struct{ ID string } }
		alice.Do(t, createHelm, map[string]any{"org": org.ID, "input": map[string]any{"name": "h", "kind": "HTTPS", "url": "https://h.acme.dev", "config": map[string]any{"username": "u", "password": "helm-secret"}}}).OK(t, &h)

		newEntry, _ := secret.NewKey("new")
		// Rows other tests of this package sealed under the test key rotate too.
		both, _ := secret.Parse(newEntry + "," + oldEntry + "," + testkit.TestKeyEntry())
		done, err := credentials.Rotate(context.Background(), e.DB.SQL, e.DB.Dialect, both)
		if err != nil {
			t.Fatal(err)
		}
		if done.Resealed < 3 {
			t.Fatalf("rotation resealed %d secrets, want at least the 3 of this test", done.Resealed)
		}
		for _, row := range []struct{ table, id, field string }{{"container_registries", r.ID, "password"}, {"git_tokens", g.CreateGitToken.ID, "token"}, {"helm_repositories", h.CreateHelmRepository.ID, "password"}} {
			if id, _ := secret.KeyID(storedSecret(t, e, row.table, row.id, row.field)); id != "new" {
				t.Errorf("%s %s is sealed under %q after rotation", row.table, row.id, id)
			}
		}
		again, err := credentials.Rotate(context.Background(), e.DB.SQL, e.DB.Dialect, both)
		if err != nil || again.Resealed != 0 {
			t.Fatalf("a second rotation: %+v %v", again, err)
		}
		onlyNew, _ := secret.Parse(newEntry)
		for _, u := range done.Unreadable {
			for _, mine := range []string{r.ID, g.CreateGitToken.ID, h.CreateHelmRepository.ID} {
				if strings.Contains(u, mine) {
					t.Errorf("this test's secret %s was not readable", u)
				}
			}
		}
		e.Reconfigure(t, func(o *server.Options) { o.Keys = onlyNew })
		var res struct{ CheckContainerRegistry struct{ Status string } }
		alice.Do(t, checkRegistry, map[string]any{"id": r.ID}).OK(t, &res)
		var gres struct{ CheckGitToken struct{ Status string } }
		alice.Do(t, `mutation($id: ID!) { checkGitToken(id: $id) { status } }`, map[string]any{"id": g.CreateGitToken.ID}).OK(t, &gres)
		if res.CheckContainerRegistry.Status != "OK" || gres.CheckGitToken.Status != "OK" || checker.token[0] != "git-secret" {
			t.Fatalf("after dropping the old key: %+v %+v %v", res, gres, checker.token)
		}
	})
}

// A Git token's check records the expiry its provider reports, as a change
// of the token (with its event).
func TestGitTokenCheckRecordsTheExpiry(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		expires := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		e.Reconfigure(t, func(o *server.Options) { o.Checker = &fakeChecker{expires: &expires} })
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		var g struct{ CreateGitToken struct{ ID string } }
		alice.Do(t, createGit, map[string]any{"org": org.ID, "input": map[string]any{"name": "g", "provider": "GITLAB", "token": "glpat-x"}}).OK(t, &g)
		alice.Do(t, `mutation($id: ID!) { checkGitToken(id: $id) { status } }`, map[string]any{"id": g.CreateGitToken.ID}).OK(t, nil)
		var out struct {
			Node struct{ ExpiresAt *time.Time }
		}
		alice.Do(t, `query($id: ID!) { node(id: $id) { ... on GitToken { expiresAt } } }`, map[string]any{"id": g.CreateGitToken.ID}).OK(t, &out)
		if out.Node.ExpiresAt == nil || !out.Node.ExpiresAt.Equal(expires) {
			t.Fatalf("expiresAt %v, want %v", out.Node.ExpiresAt, expires)
		}
		// A new token value forgets the old one's expiry.
		var up struct {
			UpdateGitToken struct{ ExpiresAt *time.Time }
		}
		alice.Do(t, updateGit, map[string]any{"id": g.CreateGitToken.ID, "input": map[string]any{"name": "g", "provider": "GITLAB", "token": "glpat-y"}}).OK(t, &up)
		if up.UpdateGitToken.ExpiresAt != nil {
			t.Fatalf("a new token kept the old expiry: %v", up.UpdateGitToken.ExpiresAt)
		}
	})
}
