package server

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql/playground"

	"github.com/orgql/orgql/internal/signin"
)

// playgroundAssets are GraphiQL 4.1.2 and React 18.2.0 from their npm
// tarballs (`npm pack graphiql@4.1.2 react@18.2.0 react-dom@18.2.0`), with
// their licenses, so the playground loads nothing from the internet.
//
//go:embed playground
var playgroundAssets embed.FS

// playgroundAssetsPath is where the embedded assets are served.
const playgroundAssetsPath = "/playground/"

// The SRI values are those gqlgen pins for the same files on jsDelivr: the
// npm files are byte-identical, so the browser checks them just the same.
const (
	graphiqlJSSRI  = "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="
	graphiqlCSSSRI = "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="
	reactSRI       = "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="
	reactDOMSRI    = "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="
)

// playgroundPage is GraphiQL for endpoint, on the embedded assets. The
// explorer plugin stays off: it would be one more asset to embed.
func playgroundPage(endpoint string) http.Handler {
	p := playgroundAssetsPath
	return playground.Handler("orgql", endpoint,
		playground.WithGraphiqlVersion(p+"graphiql.min.js", p+"graphiql.min.css", graphiqlJSSRI, graphiqlCSSSRI),
		playground.WithGraphiqlReactVersion(p+"react.production.min.js", p+"react-dom.production.min.js", reactSRI, reactDOMSRI),
		playground.WithGraphiqlEnablePluginExplorer(false),
		playground.WithStoragePrefix("orgql:"),
	)
}

// playgroundFiles serves the embedded assets.
func playgroundFiles() http.Handler {
	sub, err := fs.Sub(playgroundAssets, "playground")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return http.StripPrefix(playgroundAssetsPath, http.FileServerFS(sub))
}

// signInBar is what the playground shows in a corner: a link per configured
// provider, and a sign-out button. The session cookie does the rest: the
// playground's requests are same-origin, so the browser sends it.
var signInBar = template.Must(template.New("bar").Parse(`<div id="orgql-signin" style="position:fixed;right:12px;bottom:12px;z-index:10;font:13px sans-serif;background:#fff;border:1px solid #ccc;border-radius:6px;padding:6px 10px">
{{range .}}<a href="/auth/{{.Name}}/login?return_to=/">Sign in with {{.Title}}</a> · {{end}}<form method="post" action="/auth/logout?return_to=/" style="display:inline"><button type="submit">Sign out</button></form>
</div>
`))

// withSignIn adds the sign-in bar to the playground page when providers are
// configured. The page is the same for every request: it is rendered once.
func withSignIn(page http.Handler, providers []*signin.Provider) http.Handler {
	if len(providers) == 0 {
		return page
	}
	var bar bytes.Buffer
	if err := signInBar.Execute(&bar, providers); err != nil {
		panic(err) // the template and its data are fixed at start
	}
	rendered := &pageBuffer{header: http.Header{}, code: http.StatusOK}
	page.ServeHTTP(rendered, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}})
	body := bytes.Replace(rendered.Bytes(), []byte("<body>"), append([]byte("<body>\n"), bar.Bytes()...), 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maps.Copy(w.Header(), rendered.header)
		w.Header().Del("Content-Length")
		w.WriteHeader(rendered.code)
		_, _ = w.Write(body)
	})
}

// pageBuffer is a ResponseWriter keeping what it is given.
type pageBuffer struct {
	bytes.Buffer
	header http.Header
	code   int
}

func (b *pageBuffer) Header() http.Header  { return b.header }
func (b *pageBuffer) WriteHeader(code int) { b.code = code }
