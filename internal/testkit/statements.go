package testkit

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Statements records the SQL statements run on behalf of requests whose
// context carries it (see Client.WithStatements), and the transactions'
// BEGIN, COMMIT and ROLLBACK apart from them.
type Statements struct {
	mu   sync.Mutex
	list []statement
}

type statement struct {
	text string
	// tx marks a transaction's BEGIN, COMMIT or ROLLBACK.
	tx bool
}

type statementsKey struct{}

// Recording returns ctx recording into s the statements run with it, for
// code a test calls directly rather than through a request.
func Recording(ctx context.Context, s *Statements) context.Context {
	return context.WithValue(ctx, statementsKey{}, s)
}

func countStatement(ctx context.Context, args ...any) {
	s, _ := ctx.Value(statementsKey{}).(*Statements)
	if s == nil {
		return
	}
	text := fmt.Sprint(args...)
	st := statement{text: text}
	// ent's debug driver also logs transaction begin/commit/rollback: they
	// are kept apart, counted only by Total. Statements, raw ones
	// (ExecContext, QueryContext) included, are counted by Count.
	switch {
	case strings.Contains(text, "Exec:"), strings.Contains(text, "Query:"),
		strings.Contains(text, "ExecContext:"), strings.Contains(text, "QueryContext:"):
	case strings.HasSuffix(text, "): started"):
		st = statement{text: "BEGIN", tx: true}
	case strings.HasSuffix(text, "): committed"):
		st = statement{text: "COMMIT", tx: true}
	case strings.HasSuffix(text, "): rollbacked"):
		st = statement{text: "ROLLBACK", tx: true}
	default:
		return
	}
	s.mu.Lock()
	s.list = append(s.list, st)
	s.mu.Unlock()
}

// Count returns how many statements were recorded, transactions' BEGIN and
// COMMIT not included.
func (s *Statements) Count() int {
	return len(s.List())
}

// List returns the recorded statements, transactions' BEGIN and COMMIT not
// included.
func (s *Statements) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, st := range s.list {
		if !st.tx {
			out = append(out, st.text)
		}
	}
	return out
}

// Total returns how many statements were recorded counting each
// transaction's BEGIN and COMMIT (or ROLLBACK), as PostgreSQL's
// pg_stat_statements does.
func (s *Statements) Total() int {
	return len(s.All())
}

// All returns the recorded statements with the transactions' BEGIN, COMMIT
// and ROLLBACK in their places.
func (s *Statements) All() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.list))
	for i, st := range s.list {
		out[i] = st.text
	}
	return out
}

// Reset forgets the recorded statements.
func (s *Statements) Reset() {
	s.mu.Lock()
	s.list = nil
	s.mu.Unlock()
}
