// Package orgql is the root of the orgql module.
//
// `go generate ./...` runs the whole chain from here, in order: entc (ent's
// code and the entgql part of the GraphQL schema, from ent/schema), then
// gqlgen (the executor, from the GraphQL schema files; graph/gqlgen.go runs it
// with our plugin), then the printed SDL.
// No other package has a go:generate directive, so one run leaves nothing
// for a second run to do.
package orgql

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run ./graph/gqlgen.go
//go:generate go run ./cmd/orgql schema -o docs/schema.graphql
