package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/secret"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) {
	// A test that needs the process itself (a signal, its exit) runs this
	// binary again as orgql, with these arguments.
	if args := os.Getenv("ORGQL_TEST_MAIN_ARGS"); args != "" {
		os.Args = append([]string{"orgql"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	testkit.Main(m)
}

// syncBuffer collects the server's log while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// listeningAddr finds the address in the text (--dev) or JSON log line.
var listeningAddr = regexp.MustCompile(`"?msg"?[=:]"orgql listening"[ ,]"?addr"?[=:]"?([^"\s]+)`)

// startBinary runs the orgql command (run, as main does) on an ephemeral port
// with ORGQL_DATABASE_URL set to databaseURL, and returns its base URL, its
// log, and a stop function that sends the equivalent of SIGTERM and returns
// run's result.
func startBinary(t *testing.T, databaseURL string, args ...string) (string, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	env := map[string]string{"ORGQL_DATABASE_URL": databaseURL, "ORGQL_SECRET_KEYS": testKey(t)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "50ms"}, args...), func(k string) string { return env[k] }, logs)
	}()
	stop := func() error {
		cancel()
		return <-done
	}
	// Wait for the server to say where it listens (a readiness wait, not a timing assertion).
	for range 600 {
		if m := listeningAddr.FindStringSubmatch(logs.String()); m != nil {
			return "http://" + m[1], logs, stop
		}
		select {
		case err := <-done:
			t.Fatalf("orgql exited before listening: %v\n%s", err, logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	t.Fatalf("orgql did not start listening:\n%s", logs)
	return "", nil, nil
}

type gqlResult struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func graphql(t *testing.T, base, token, query string, vars map[string]any, out any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode response: %v", err)
	}
	if out != nil {
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", query, r.Errors)
		}
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func devLogin(t *testing.T, base, login string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(base+"/auth/dev/login", "application/json", strings.NewReader(`{"login":"`+login+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body.Token
}

// TestREADMEWalkthrough follows the README's first session against the
// binary's own command, on SQLite and on PostgreSQL (ORGQL_DATABASE_URL):
// sign in, create an organization with a first project, switch to it, update
// it, try a bad website, invite and accept a member through the logged link,
// and delete it; a second user sees none of it; SIGTERM ends it cleanly.
func TestREADMEWalkthrough(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			base, logs, stop := startBinary(t, testkit.DatabaseURL(t, b), "--dev")
			suffix := strings.ToLower(strings.ReplaceAll(testkit.Unique(""), " ", ""))
			_, alice := devLogin(t, base, "alice"+suffix)
			_, bob := devLogin(t, base, "bob"+suffix)
			if alice == "" || bob == "" {
				t.Fatalf("dev sign-in gave no token:\n%s", logs)
			}
			name := testkit.Unique("Acme")

			var created struct {
				CreateOrganization struct {
					ID       string
					Owner    struct{ Login string }
					Projects struct{ TotalCount int }
				}
			}
			graphql(t, base, alice, `mutation($name: String!) {
				createOrganization(input: {name: $name, websiteURL: "https://acme.example", adminContactEmails: ["ops@acme.example"], firstProject: {name: "web"}}) {
					id owner { login } projects { totalCount }
				}
			}`, map[string]any{"name": name}, &created)
			org := created.CreateOrganization
			if org.Owner.Login != "alice"+suffix || org.Projects.TotalCount != 1 {
				t.Fatalf("created %+v", org)
			}
			vars := map[string]any{"id": org.ID}

			var switched struct {
				SwitchOrganization struct{ CurrentOrganization struct{ ID string } }
			}
			graphql(t, base, alice, `mutation($id: ID!) { switchOrganization(id: $id) { currentOrganization { id } } }`, vars, &switched)
			if switched.SwitchOrganization.CurrentOrganization.ID != org.ID {
				t.Fatalf("switch: %+v", switched)
			}

			var updated struct {
				UpdateOrganization struct{ Description, WebsiteURL string }
			}
			graphql(t, base, alice, `mutation($id: ID!) {
				updateOrganization(id: $id, input: {description: "Rockets", websiteURL: "https://acme.dev"}) { description websiteURL }
			}`, vars, &updated)
			if updated.UpdateOrganization.WebsiteURL != "https://acme.dev" {
				t.Fatalf("update: %+v", updated)
			}
			bad := graphql(t, base, alice, `mutation($id: ID!) { updateOrganization(id: $id, input: {websiteURL: "acme.dev"}) { id } }`, vars, nil)
			if len(bad.Errors) != 1 || bad.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "input.websiteURL" ||
				bad.Errors[0].Message != "input.websiteURL is not valid: must be an http:// or https:// URL" {
				t.Fatalf("bad website: %+v", bad.Errors)
			}

			// A second user sees none of it.
			hidden := graphql(t, base, bob, `query($id: ID!) { organization(id: $id) { id } }`, vars, nil)
			if len(hidden.Errors) != 1 || hidden.Errors[0].Extensions["code"] != "NOT_FOUND" {
				t.Fatalf("bob reading alice's organization: %+v", hidden)
			}

			// Invite bob; the built-in mailer writes the link to the log.
			var roles struct {
				Organization struct{ Roles []struct{ ID, Name string } }
			}
			graphql(t, base, alice, `query($id: ID!) { organization(id: $id) { roles { id name } } }`, vars, &roles)
			viewerRole := roles.Organization.Roles[4]
			bobEmail := "bob" + suffix + "@dev.orgql.local"
			graphql(t, base, alice, `mutation($id: ID!, $email: String!, $role: ID!) {
				inviteMember(organizationID: $id, input: {email: $email, roleID: $role}) { id status }
			}`, map[string]any{"id": org.ID, "email": bobEmail, "role": viewerRole.ID}, &struct{}{})
			link := regexp.MustCompile(`to=` + regexp.QuoteMeta(bobEmail) + `.* link=\S*token=(oqi_\w+)`).FindStringSubmatch(logs.String())
			if link == nil {
				t.Fatalf("no invitation link for %s in the log:\n%s", bobEmail, logs)
			}
			var preview struct {
				Invitation struct{ OrganizationName, InviterName string }
			}
			graphql(t, base, bob, `query($t: String!) { invitation(token: $t) { organizationName inviterName } }`, map[string]any{"t": link[1]}, &preview)
			if preview.Invitation.OrganizationName != name {
				t.Fatalf("preview: %+v", preview)
			}
			var accepted struct {
				AcceptInvitation struct{ Role struct{ Name string } }
			}
			graphql(t, base, bob, `mutation($t: String!) { acceptInvitation(token: $t) { role { name } } }`, map[string]any{"t": link[1]}, &accepted)
			if accepted.AcceptInvitation.Role.Name != viewerRole.Name {
				t.Fatalf("accept: %+v", accepted)
			}

			var deleted struct{ DeleteOrganization string }
			graphql(t, base, alice, `mutation($id: ID!, $name: String!) { deleteOrganization(id: $id, confirmName: $name) }`,
				map[string]any{"id": org.ID, "name": name}, &deleted)
			gone := graphql(t, base, alice, `query($id: ID!) { organization(id: $id) { id } }`, vars, nil)
			if deleted.DeleteOrganization != org.ID || len(gone.Errors) != 1 || gone.Errors[0].Extensions["code"] != "NOT_FOUND" {
				t.Fatalf("delete: %+v, then %+v", deleted, gone)
			}

			if err := stop(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if !strings.Contains(logs.String(), "shut down cleanly") {
				t.Fatalf("no clean shutdown in the log:\n%s", logs)
			}
		})
	}
}

// The development sign-in exists only with --dev, which the server announces.
func TestDevSignInNeedsTheDevFlag(t *testing.T) {
	url := testkit.DatabaseURL(t, testkit.SQLite)

	base, logs, stop := startBinary(t, url)
	resp, _ := devLogin(t, base, "mallory")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || strings.Contains(logs.String(), "DEVELOPMENT MODE") {
		t.Fatalf("without --dev: dev sign-in answered %d; log:\n%s", resp.StatusCode, logs)
	}
	if !strings.Contains(logs.String(), "invitations cannot be delivered") {
		t.Fatalf("without --dev nor SMTP, the server did not say invitations cannot be delivered:\n%s", logs)
	}

	base, logs, stop = startBinary(t, url, "--dev")
	resp, token := devLogin(t, base, "mallory")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || token == "" || !strings.Contains(logs.String(), "DEVELOPMENT MODE") {
		t.Fatalf("with --dev: dev sign-in answered %d; log:\n%s", resp.StatusCode, logs)
	}
}

// On PostgreSQL, serve refuses a database whose schema is behind the
// binary's migrations unless told to migrate; `orgql migrate` or --migrate
// bring it up to date, after which serve starts without the flag.
func TestServeRefusesAnOlderPostgresSchemaUnlessToldToMigrate(t *testing.T) {
	url := testkit.NewPostgresDatabase(t)
	key := testKey(t)
	env := func(k string) string {
		return map[string]string{"ORGQL_DATABASE_URL": url, "ORGQL_SECRET_KEYS": key}[k]
	}
	var logs syncBuffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, env, &logs)
	if !errors.Is(err, database.ErrSchemaBehind) {
		t.Fatalf("serve on an empty database: %v\n%s", err, logs.String())
	}
	base, _, stop := startBinary(t, url, "--migrate")
	if resp, err := http.Get(base + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz after --migrate: %v %v", resp, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"migrate"}, env, &logs); err != nil {
		t.Fatalf("migrate on an up-to-date database: %v", err)
	}
	_, _, stop = startBinary(t, url)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// testKey is a fresh keyring entry for ORGQL_SECRET_KEYS.
func testKey(t *testing.T) string {
	t.Helper()
	k, err := secret.NewKey("test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The embedded default needs no setup: on SQLite without configured keys the
// first start generates the key that seals stored credentials, next to the
// database, readable by its owner only, and says so; later starts read it.
// PostgreSQL refuses to start without keys, saying how to make one.
func TestSecretKeysOfTheEmbeddedDefaultAndOfPostgres(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "orgql.db")
	env := func(k string) string { return map[string]string{"ORGQL_DATABASE_URL": dbFile}[k] }
	startStop := func() string {
		ctx, cancel := context.WithCancel(context.Background())
		logs := &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, env, logs) }()
		for range 600 {
			if listeningAddr.MatchString(logs.String()) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve: %v\n%s", err, logs)
		}
		return logs.String()
	}
	first := startStop()
	info, err := os.Stat(dbFile + ".keys")
	if err != nil {
		t.Fatalf("no key file next to the database: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	if !strings.Contains(first, "generated the key that seals stored credentials") {
		t.Fatalf("the first start did not say it generated a key:\n%s", first)
	}
	key, _ := os.ReadFile(dbFile + ".keys")
	if strings.Contains(first, strings.TrimSpace(string(key))) || strings.Contains(first, strings.SplitN(strings.TrimSpace(string(key)), ":", 2)[1]) {
		t.Fatal("the log shows the key")
	}
	if second := startStop(); strings.Contains(second, "generated") {
		t.Fatalf("a second start generated another key:\n%s", second)
	}
	if again, _ := os.ReadFile(dbFile + ".keys"); string(again) != string(key) {
		t.Fatal("the key changed between starts")
	}

	url := testkit.NewPostgresDatabase(t)
	pgEnv := func(k string) string { return map[string]string{"ORGQL_DATABASE_URL": url}[k] }
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--migrate"}, pgEnv, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "ORGQL_SECRET_KEYS") {
		t.Fatalf("PostgreSQL without keys: %v", err)
	}
}
