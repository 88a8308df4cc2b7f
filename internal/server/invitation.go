package server

import (
	"embed"
	"net/http"
)

// invitationPage is the page invitation links lead to unless the operator
// points them at their own console (--invitation-url): it shows what the
// invitation offers and accepts it for the signed-in user.
//
//go:embed invitation
var invitationPage embed.FS

// serveInvitationFile serves one file of the page. The link carries the
// invitation's token in its query: the page loads nothing from elsewhere
// and sends no Referer, so the token goes nowhere but to this server.
func serveInvitationFile(name, contentType string) http.HandlerFunc {
	body, err := invitationPage.ReadFile("invitation/" + name)
	if err != nil {
		panic(err) // the embedded files are fixed at build time
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	}
}
