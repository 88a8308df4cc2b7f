package testkit

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Statements records the SQL statements run on behalf of requests whose
// context carries it (see Client.WithStatements).
type Statements struct {
	mu   sync.Mutex
	list []string
}

type statementsKey struct{}

func countStatement(ctx context.Context, args ...any) {
	s, _ := ctx.Value(statementsKey{}).(*Statements)
	if s == nil {
		return
	}
	text := fmt.Sprint(args...)
	// ent's debug driver also logs transaction begin/commit; count only
	// statements, raw ones (ExecContext, QueryContext) included.
	if !strings.Contains(text, "Exec:") && !strings.Contains(text, "Query:") &&
		!strings.Contains(text, "ExecContext:") && !strings.Contains(text, "QueryContext:") {
		return
	}
	s.mu.Lock()
	s.list = append(s.list, text)
	s.mu.Unlock()
}

// Count returns how many statements were recorded.
func (s *Statements) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.list)
}

// List returns the recorded statements.
func (s *Statements) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// Reset forgets the recorded statements.
func (s *Statements) Reset() {
	s.mu.Lock()
	s.list = nil
	s.mu.Unlock()
}
