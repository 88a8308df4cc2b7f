// Package isolation holds the schema-driven tenant isolation test of
// docs/security.md S15: every query, mutation and subscription argument of type ID,
// and every ID field inside their input objects, is found by walking the
// GraphQL schema itself, so a new operation is covered without editing the
// test. Each such slot is sent, by the owner of another organization, once
// with every ID of a victim organization and once with a random ID of the
// same prefix; the two answers must be the same, byte for byte.
//
// The package has no code of its own: everything is in its _test.go files.
package isolation
