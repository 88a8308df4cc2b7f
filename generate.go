// Package orgql is the root of the orgql module. `go generate ./...` first
// regenerates ent (ent/generate.go), then the GraphQL executor from here.
package orgql

//go:generate go run github.com/99designs/gqlgen generate --config gqlgen.yml
