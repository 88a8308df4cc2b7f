package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/testkit"
)

// The link of an invitation leads somewhere: by default to the server's own
// accept page, which serves itself with nothing from elsewhere and sends the
// token nowhere, and whose documents work against the schema.
func TestInvitationLinkLeadsToTheAcceptPage(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.PublicURL = "https://orgql.acme.dev/" }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		bob := e.SignIn(t, "bob")
		_, tok := alice.Invite(t, org, bob.Email(), e.RoleID(t, org, rbac.Viewer))
		mail, _ := e.Mailer.Last(bob.Email())
		link, err := url.Parse(mail.Link)
		if err != nil || link.Scheme+"://"+link.Host+link.Path != "https://orgql.acme.dev/invitations/accept" || link.Query().Get("token") != tok {
			t.Fatalf("invitation link %q", mail.Link)
		}

		page := e.Serve(httptest.NewRequest(http.MethodGet, link.RequestURI(), nil))
		if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("accept page: %d %s", page.Code, page.Header().Get("Content-Type"))
		}
		script := e.Serve(httptest.NewRequest(http.MethodGet, "/invitations/accept.js", nil))
		if script.Code != http.StatusOK || !strings.HasPrefix(script.Header().Get("Content-Type"), "text/javascript") {
			t.Fatalf("accept script: %d", script.Code)
		}
		for _, res := range []*httptest.ResponseRecorder{page, script} {
			if res.Header().Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header().Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("the page may leak its token: headers %v", res.Header())
			}
			if regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]`).MatchString(res.Body.String()) {
				t.Errorf("the page loads or links something from elsewhere")
			}
		}

		// The page's own documents, as the script sends them.
		docs := regexp.MustCompile(`"((?:query|mutation)\([^"]+)"`).FindAllStringSubmatch(script.Body.String(), -1)
		if len(docs) != 2 {
			t.Fatalf("found %d documents in the script", len(docs))
		}
		var preview struct {
			Invitation struct{ OrganizationName, Status string }
		}
		e.Anonymous().Do(t, docs[0][1], map[string]any{"token": tok}).OK(t, &preview)
		if preview.Invitation.OrganizationName != org.Name || preview.Invitation.Status != "PENDING" {
			t.Fatalf("preview: %+v", preview)
		}
		e.Anonymous().Do(t, docs[1][1], map[string]any{"token": tok}).Err(t, "UNAUTHENTICATED")
		var accepted struct {
			AcceptInvitation struct{ Role struct{ Name string } }
		}
		bob.Do(t, docs[1][1], map[string]any{"token": tok}).OK(t, &accepted)
		if accepted.AcceptInvitation.Role.Name != "Viewer" {
			t.Fatalf("accepted: %+v", accepted)
		}
		// Another organization's owner learns nothing from the used link.
		var gone struct {
			Invitation *struct{ OrganizationName string }
		}
		e.SignIn(t, "mallory").Do(t, docs[0][1], map[string]any{"token": tok}).OK(t, &gone)
		if gone.Invitation != nil {
			t.Fatalf("a used invitation still previews: %+v", gone.Invitation)
		}
	})
}

// A console serving its own accept page sets the link's template.
func TestInvitationLinkFollowsTheConfiguredTemplate(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { c.InvitationURL = "https://console.acme.dev/join/{token}?from=mail" }, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		alice.Do(t, `mutation($org: ID!, $role: ID!) { inviteMember(organizationID: $org, input: {email: "x@acme.dev", roleID: $role}) { id } }`,
			map[string]any{"org": org.ID, "role": e.RoleID(t, org, rbac.Viewer)}).OK(t, nil)
		mail, _ := e.Mailer.Last("x@acme.dev")
		if !regexp.MustCompile(`^https://console\.acme\.dev/join/oqi_[0-9A-Za-z]+\?from=mail$`).MatchString(mail.Link) {
			t.Fatalf("invitation link %q", mail.Link)
		}
	})
	for _, bad := range []string{"https://console.acme.dev/join", "https://a.dev/{token}/{token}", "console.acme.dev/{token}", "javascript:alert(1)//{token}"} {
		if _, err := config.Load([]string{"--invitation-url", bad}, os.Getenv, nil); err == nil {
			t.Errorf("invitation URL template %q was accepted", bad)
		}
	}
}
