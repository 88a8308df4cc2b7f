package server

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/99designs/gqlgen/graphql/playground"
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
