package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

const inviteDoc = `mutation($org: ID!, $email: String!, $role: ID!) {
	inviteMember(organizationID: $org, input: {email: $email, roleID: $role}) { id }
}`

// Without --dev, an invitation goes out through the configured SMTP server
// (on loopback here) with its link in both parts; following the link opens
// the accept page, and its token accepts the invitation through the API.
// No log line holds a token.
func TestInvitationsAreMailedThroughSMTP(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice, bob, mallory := e.SignIn(t, "alice"), e.SignIn(t, "bob"), e.SignIn(t, "mallory")
		org := alice.CreateOrg(t)
		mallory.CreateOrg(t)
		smtpServer := testkit.NewSMTPServer(t, testkit.SMTPOptions{TLS: "none"}) // TLS and authentication: internal/mail's tests
		e.Config.Dev = false
		e.Config.SMTPHost, e.Config.SMTPPort, e.Config.SMTPTLS = smtpServer.Host, smtpServer.Port, "none"
		e.Config.SMTPFrom = "orgql <noreply@orgql.example>"
		e.Reconfigure(t, func(o *server.Options) { o.Mailer = nil })

		alice.Do(t, inviteDoc, map[string]any{"org": org.ID, "email": bob.Email(), "role": e.RoleID(t, org, rbac.Viewer)}).OK(t, nil)
		msgs := smtpServer.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != bob.Email() {
			t.Fatalf("received %+v", msgs)
		}
		_, text, html := msgs[0].Parts(t)
		link := regexp.MustCompile(`https?://\S+token=(oqi_\w+)`).FindStringSubmatch(text)
		if link == nil || !strings.Contains(html, strings.ReplaceAll(link[0], "&", "&amp;")) || !strings.Contains(text, org.Name) {
			t.Fatalf("no link in the message:\n%s\n%s", text, html)
		}
		u, err := url.Parse(link[0])
		if err != nil {
			t.Fatal(err)
		}
		page := e.Serve(httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
		if page.Code != http.StatusOK || !strings.Contains(page.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("the link's page: %d", page.Code)
		}
		bob.Accept(t, u.Query().Get("token"))
		var out struct {
			Organization struct{ Members struct{ TotalCount int } }
		}
		bob.Do(t, `query($id: ID!) { organization(id: $id) { members { totalCount } } }`, map[string]any{"id": org.ID}).OK(t, &out)
		if out.Organization.Members.TotalCount != 2 {
			t.Fatalf("bob sees %d members", out.Organization.Members.TotalCount)
		}
		// Someone of another organization cannot use the spent link, nor see the organization.
		if r := mallory.Do(t, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, map[string]any{"t": link[1]}); len(r.Errors) == 0 {
			t.Fatalf("a spent invitation was accepted again: %s", r.Body)
		}
		mallory.Do(t, `query($id: ID!) { organization(id: $id) { id } }`, map[string]any{"id": org.ID}).Err(t, "NOT_FOUND")
		if strings.Contains(e.Logs(), "oqi_") {
			t.Fatalf("a log line holds an invitation token:\n%s", e.Logs())
		}
	})
}

// Without --dev and without SMTP the server says at start that invitations
// cannot be delivered; an invitation then fails, is not made, and no log
// line holds its token. The log mailer runs with --dev only.
func TestWithoutSMTPInvitationsAreNotDeliveredNorLogged(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		e.Config.Dev = false
		e.Reconfigure(t, func(o *server.Options) { o.Mailer = nil })
		if !strings.Contains(e.Logs(), "invitations cannot be delivered") {
			t.Fatalf("the server did not say invitations cannot be delivered:\n%s", e.Logs())
		}
		alice.Do(t, inviteDoc, map[string]any{"org": org.ID, "email": "guest@acme.dev", "role": e.RoleID(t, org, rbac.Viewer)}).Err(t, "NOT_CONFIGURED")
		var out struct {
			Organization struct{ Invitations struct{ TotalCount int } }
		}
		alice.Do(t, `query($id: ID!) { organization(id: $id) { invitations { totalCount } } }`, map[string]any{"id": org.ID}).OK(t, &out)
		if out.Organization.Invitations.TotalCount != 0 {
			t.Fatalf("an undeliverable invitation was made")
		}
		if strings.Contains(e.Logs(), "oqi_") {
			t.Fatalf("a log line holds an invitation token:\n%s", e.Logs())
		}

		e.Config.Dev = true
		e.Reconfigure(t, func(o *server.Options) { o.Mailer = nil })
		alice.Do(t, inviteDoc, map[string]any{"org": org.ID, "email": "guest@acme.dev", "role": e.RoleID(t, org, rbac.Viewer)}).OK(t, nil)
		if !regexp.MustCompile(`to=guest@acme.dev .*link=\S*token=oqi_`).MatchString(e.Logs()) {
			t.Fatalf("with --dev the log mailer did not write the link:\n%s", e.Logs())
		}
	})
}
