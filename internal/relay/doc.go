// Package relay keeps orgql's connections to the Relay cursor-connections
// algorithm: the cursors (after, before) select the rows strictly after and
// strictly before them in the connection's order, whichever of first and
// last is given; then first keeps the first rows of those, last the last
// ones; pageInfo says what lies beyond the page.
//
// entgql v0.7.0 gets this wrong when last is given (it reverses the order
// for last, then compares both cursors the same way), so ent/entc.go patches
// its pagination templates to call CursorPredicates, Page and OrderOptions
// here. It also decodes and checks the cursors clients send: a bad cursor is
// BAD_USER_INPUT, never a database error.
package relay
