// Package live measures subscriptions: commit-to-delivery latency with many
// subscribers spread over two instances on one database, and the memory an
// idle WebSocket subscriber costs. See bench/README.md.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// count reads a size from the environment.
func count(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// backend is PostgreSQL when the tests have one, else SQLite.
func backend(t testing.TB) testkit.Backend {
	bs := testkit.Backends(t)
	return bs[len(bs)-1]
}

func roomy(c *config.Config) { c.MaxConnectionsPerCaller = 1 << 20 }

const sub = `subscription($org: ID!, $after: Cursor) { organizationEvents(organizationID: $org, after: $after) { change } }`

// subscriber opens one graphql-transport-ws subscription to org's events.
func subscriber(b testing.TB, base, authorization, org, after string) *websocket.Conn {
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		b.Fatal(err)
	}
	write := func(v any) {
		m, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, m); err != nil {
			b.Fatal(err)
		}
	}
	write(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": authorization}})
	if _, m, err := conn.Read(ctx); err != nil || !strings.Contains(string(m), "connection_ack") {
		b.Fatalf("init: %s %v", m, err)
	}
	write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": sub, "variables": map[string]any{"org": org, "after": after}}})
	return conn
}

// stringAfter is the JSON string that follows prefix in m (no escapes).
func stringAfter(m []byte, prefix string) string {
	_, rest, ok := bytes.Cut(m, []byte(prefix))
	if !ok {
		return ""
	}
	s, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(s)
}

func newestCursor(b testing.TB, c *testkit.Client, org string) string {
	var out struct {
		Organization struct {
			AuditEvents struct{ Edges []struct{ Cursor string } }
		}
	}
	c.Do(b, `query($id: ID!) { organization(id: $id) { auditEvents(first: 1) { edges { cursor } } } }`, map[string]any{"id": org}).OK(b, &out)
	return out.Organization.AuditEvents.Edges[0].Cursor
}

// BenchmarkCommitToDelivery changes an organization through instance A
// (b.N times) while ORGQL_BENCH_SUBSCRIBERS (1,000) subscribers, half on A
// and half on B, follow it; it reports the latency from the mutation's
// answer (its commit) to each delivery.
func BenchmarkCommitToDelivery(b *testing.B) {
	n := count("ORGQL_BENCH_SUBSCRIBERS", 1000)
	be := backend(b)
	a, other := testkit.New(b, be, roomy), testkit.New(b, be, roomy)
	alice := a.SignIn(b, "alice")
	org := alice.CreateOrg(b)
	urls := []string{httptest.NewServer(a.Server).URL, httptest.NewServer(other.Server).URL}
	after := newestCursor(b, alice, org.ID)

	var mu sync.Mutex
	sent := map[string]time.Time{}
	arrived := map[string][]time.Time{}
	got := 0
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, n)
	for i := range n {
		conns[i] = subscriber(b, urls[i%2], alice.Authorization(), org.ID, after)
	}
	b.ResetTimer()
	for i := range n {
		wg.Add(1)
		go func(c *websocket.Conn) {
			defer wg.Done()
			for delivered := 0; delivered < b.N; {
				_, m, err := c.Read(context.Background())
				if err != nil {
					b.Error(err)
					return
				}
				at := time.Now()
				// The client shares the process and its two cores with both
				// servers: it finds what it needs without decoding the message.
				if typ := stringAfter(m, `"type":"`); typ != "next" {
					if typ == "ping" { // graphql-transport-ws: a client that does not answer is closed
						_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
					}
					continue
				}
				delivered++
				key := stringAfter(m, `"to":"`)
				mu.Lock()
				arrived[key] = append(arrived[key], at)
				got++
				mu.Unlock()
			}
		}(conns[i])
	}
	for i := range b.N {
		key := fmt.Sprint("d", i)
		alice.Do(b, `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`,
			map[string]any{"id": org.ID, "d": key}).OK(b, nil)
		mu.Lock()
		sent[key] = time.Now()
		mu.Unlock()
		// One change at a time: measure delivery, not a queue.
		for {
			mu.Lock()
			done := got >= (i+1)*n
			mu.Unlock()
			if done {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	b.StopTimer()
	// From the mutation's answer, which comes just after its commit: a
	// delivery that beat the answer counts as 0.
	var latencies []time.Duration
	for key, ats := range arrived {
		for _, at := range ats {
			latencies = append(latencies, max(0, at.Sub(sent[key])))
		}
	}
	if os.Getenv("ORGQL_BENCH_DEBUG") != "" {
		for key, ats := range arrived {
			lo, hi := ats[0], ats[0]
			for _, at := range ats {
				if at.Before(lo) {
					lo = at
				}
				if at.After(hi) {
					hi = at
				}
			}
			fmt.Println(key, lo.Sub(sent[key]), hi.Sub(sent[key]))
		}
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(n), "subscribers")
	for _, c := range conns {
		c.CloseNow()
	}
}

// BenchmarkIdleSubscriberMemory opens ORGQL_BENCH_IDLE (1,000) idle
// subscriptions on one instance and reports the heap they add, per
// subscriber; client and server share the process, so the figure includes
// the client's side of each connection (an upper bound for the server's).
func BenchmarkIdleSubscriberMemory(b *testing.B) {
	n := count("ORGQL_BENCH_IDLE", 1000)
	e := testkit.New(b, backend(b), roomy)
	alice := e.SignIn(b, "alice")
	org := alice.CreateOrg(b)
	url := httptest.NewServer(e.Server).URL
	after := newestCursor(b, alice, org.ID)
	for range b.N {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		conns := make([]*websocket.Conn, n)
		for i := range n {
			conns[i] = subscriber(b, url, alice.Authorization(), org.ID, after)
		}
		// Let every subscription start and go idle: until the goroutines
		// stop changing (at most 30 s).
		for prev, i := -1, 0; i < 30 && runtime.NumGoroutine() != prev; i++ {
			prev = runtime.NumGoroutine()
			time.Sleep(time.Second)
		}
		// Idle: a running server collects often, and each collection halves the
		// stacks that grew while a subscription started; a few show that state.
		for range 4 {
			runtime.GC()
		}
		var with runtime.MemStats
		runtime.ReadMemStats(&with)
		if dir := os.Getenv("ORGQL_BENCH_PROFILE"); dir != "" {
			writeProfiles(b, dir)
		}
		b.ReportMetric(float64(with.HeapInuse+with.StackInuse-before.HeapInuse-before.StackInuse)/float64(n)/1024, "KiB/subscriber")
		b.ReportMetric(float64(with.StackInuse-before.StackInuse)/float64(n)/1024, "stack-KiB/subscriber")
		b.ReportMetric(float64(runtime.NumGoroutine())/float64(n), "goroutines/subscriber")
		for _, c := range conns {
			c.CloseNow()
		}
	}
}

// writeProfiles writes, while the subscribers are idle, the heap's profile
// (idle-heap.pprof: what they hold) and every goroutine's stack
// (idle-goroutines.txt) into dir.
func writeProfiles(b *testing.B, dir string) {
	for name, write := range map[string]func(io.Writer) error{
		"idle-heap.pprof":     func(w io.Writer) error { return pprof.Lookup("heap").WriteTo(w, 0) },
		"idle-goroutines.txt": func(w io.Writer) error { return pprof.Lookup("goroutine").WriteTo(w, 1) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := write(f); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
