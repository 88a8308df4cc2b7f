package live_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/testkit"
	"github.com/orgql/orgql/internal/viewer"
)

// A burst of changes while the hub pings its listener often neither stops
// the hub nor its shutdown: it still delivers the change after the burst,
// and Run returns once its context ends. (The hub once drained the
// notifications and pinged in one loop; a ping waits for the listener,
// which waited for room for the notifications, and both stopped for good.)
func TestBurstWhilePingingNeitherStopsNorHangs(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		h := &live.Hub{Client: e.DB.Client, PostgresURL: e.DB.URL, PollInterval: time.Millisecond}
		ctx, stop := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		go func() { ran <- h.Run(ctx) }()
		defer stop()
		if err := h.Prime(ctx); err != nil {
			t.Fatal(err)
		}

		c, err := e.Server.Auth.Authenticate(context.Background(), alice.Authorization())
		if err != nil {
			t.Fatal(err)
		}
		sub := viewer.NewContext(ctx, c)
		s := &live.Session{Key: "alice", Reauthenticate: func(ctx context.Context) (context.Context, error) { return viewer.NewContext(ctx, c), nil }}
		out, err := h.Events(sub, org.ID, nil, -1, s, live.Limits{SendTimeout: time.Minute, Recheck: time.Hour}, func(error) {})
		if err != nil {
			t.Fatal(err)
		}
		// Changes committed faster than one reader takes them: the
		// notifications pile up in the listener.
		const writers, each = 8, 40
		const burst = writers * each
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					describe(t, alice, org.ID, fmt.Sprint("burst ", w, " ", i))
				}
			}()
		}
		wg.Wait()
		describe(t, alice, org.ID, "after the burst")
		deadline := time.After(20 * time.Second)
		for got := 0; ; {
			select {
			case ev := <-out:
				got++
				if d, _ := ev.Change["description"].(map[string]any); d["to"] == "after the burst" {
					if got != burst+1 {
						t.Fatalf("got %d events, want %d", got, burst+1)
					}
					stop()
					select {
					case <-ran:
					case <-time.After(10 * time.Second):
						t.Fatal("the hub did not stop with its context")
					}
					return
				}
			case <-deadline:
				t.Fatalf("after %d events, the change after the burst did not come: the hub stopped", got)
			}
		}
	})
}
