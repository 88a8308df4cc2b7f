package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/ratelimit"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// The counter is one atomic upsert: concurrent requests lose no point; an
// instance whose clock is behind adds to the newer window instead of
// resetting it; a later window starts afresh.
func TestLimiterCounts(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		ctx := context.Background()
		t0 := time.Date(2031, 5, 1, 12, 0, 59, 0, time.UTC)
		ahead := ratelimit.New(e.DB.SQL, e.DB.Dialect, time.Minute, nil)
		behind := ratelimit.New(e.DB.SQL, e.DB.Dialect, time.Minute, nil)
		ahead.Now = func() time.Time { return t0.Add(2 * time.Second) } // 12:01:01
		behind.Now = func() time.Time { return t0 }                     // 12:00:59
		key := "user:" + testkit.Unique("limiter")

		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := ahead
				if i%2 == 1 {
					l = behind
				}
				if _, err := l.Take(ctx, key, 1, 100); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		s, err := behind.Take(ctx, key, 5, 100)
		if err != nil {
			t.Fatal(err)
		}
		// Every point counts: those taken in the older window before the
		// newer one began started over with it, so between 10 and 25 are in it.
		if s.Used < 15 || s.Used > 25 {
			t.Fatalf("used %d", s.Used)
		}
		if want := time.Date(2031, 5, 1, 12, 2, 0, 0, time.UTC); !s.Reset.Equal(want) {
			t.Fatalf("reset %v, want %v: the newer window was undone", s.Reset, want)
		}
		before := s.Used
		s, _ = behind.Take(ctx, key, 1, 100)
		if s.Used != before+1 {
			t.Fatalf("behind: %d after %d", s.Used, before)
		}
		later := ratelimit.New(e.DB.SQL, e.DB.Dialect, time.Minute, nil)
		later.Now = func() time.Time { return t0.Add(5 * time.Minute) }
		if s, _ := later.Take(ctx, key, 3, 100); s.Used != 3 || s.Remaining() != 97 {
			t.Fatalf("a new window: %+v", s)
		}
		old := "user:" + testkit.Unique("old")
		if _, err := behind.Take(ctx, old, 1, 100); err != nil {
			t.Fatal(err)
		}
		// later's own Take may have pruned it already, off the request.
		if _, err := later.Prune(ctx, t0.Add(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if s, _ := behind.Take(ctx, old, 1, 100); s.Used != 1 {
			t.Fatalf("an old counter survived pruning: %+v", s)
		}
		if s, _ := later.Take(ctx, key, 1, 100); s.Used != 4 {
			t.Fatalf("pruning took a current counter: %+v", s)
		}
	})
}

// On PostgreSQL the counters' table is unlogged: counting a request does
// not wait for the WAL to reach the disk (a regenerated migration that
// loses UNLOGGED fails here).
func TestCountersTableIsUnlogged(t *testing.T) {
	for _, b := range testkit.Backends(t) {
		if b != testkit.Postgres {
			continue
		}
		e := testkit.New(t, b, nil)
		var persistence string
		if err := e.DB.SQL.QueryRow(`SELECT relpersistence FROM pg_class WHERE relname = 'rate_limit_counters'`).Scan(&persistence); err != nil {
			t.Fatal(err)
		}
		if persistence != "u" {
			t.Fatalf("rate_limit_counters has persistence %q, want u (unlogged)", persistence)
		}
	}
}
