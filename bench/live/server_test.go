package live

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkIdleSubscribersOfAServer starts orgql as its own process (SQLite,
// rate limits off) and opens ORGQL_BENCH_SERVER_IDLE (10,000) idle
// graphql-transport-ws subscriptions to it from this one; it reports what the
// server's process holds for them: its resident memory (VmRSS, garbage not
// yet collected included), its Go heap and stacks in use, and its
// goroutines, in total and per subscriber. Apart from the client, the figure
// is the server's alone (BenchmarkIdleSubscriberMemory shares its process).
func BenchmarkIdleSubscribersOfAServer(b *testing.B) {
	n := count("ORGQL_BENCH_SERVER_IDLE", 10000)
	dir := b.TempDir()
	bin := filepath.Join(dir, "orgql")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/orgql").CombinedOutput(); err != nil {
		b.Fatalf("build orgql: %v\n%s", err, out)
	}
	addr, metricsAddr := freeAddr(b), freeAddr(b)
	base, metrics := "http://"+addr, "http://"+metricsAddr
	cmd := exec.Command(bin, "serve", "--dev", "--addr", addr, "--database-url", filepath.Join(dir, "orgql.db"),
		"--metrics-addr", metricsAddr, "--pprof",
		"--max-connections-per-caller", strconv.Itoa(n+10), "--log-level", "warn")
	cmd.Env = append(os.Environ(), "ORGQL_RATE_LIMIT=false")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if b.Failed() {
			b.Logf("server log:\n%s", logs.String())
		}
		if name := os.Getenv("ORGQL_BENCH_SERVER_LOG"); name != "" {
			_ = os.WriteFile(name, logs.Bytes(), 0o644)
		}
	})
	for i := 0; ; i++ {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			break
		}
		if i == 100 {
			b.Fatal("orgql did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}

	var login struct{ Token string }
	post(b, base+"/auth/dev/login", "", `{"login":"bench"}`, &login)
	authorization := "Bearer " + login.Token
	var created struct {
		Data struct{ CreateOrganization struct{ ID string } }
	}
	post(b, base+"/graphql", authorization, `{"query":"mutation { createOrganization(input: {name: \"Idle\"}) { id } }"}`, &created)
	org := created.Data.CreateOrganization.ID
	var events struct {
		Data struct {
			Organization struct {
				AuditEvents struct{ Edges []struct{ Cursor string } }
			}
		}
	}
	post(b, base+"/graphql", authorization, fmt.Sprintf(`{"query":"{ organization(id: \"%s\") { auditEvents(first: 1) { edges { cursor } } } }"}`, org), &events)
	after := events.Data.Organization.AuditEvents.Edges[0].Cursor

	for range b.N {
		before := serverMemory(b, metrics, cmd.Process.Pid)
		conns := make([]*websocket.Conn, n)
		var wg sync.WaitGroup
		const dialers = 8
		for w := range dialers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += dialers {
					conns[i] = subscriber(b, base, authorization, org, after)
					go answerPings(conns[i])
				}
			}()
		}
		wg.Wait()
		// Idle once the server's goroutines stop changing (at most 60 s).
		with := serverMemory(b, metrics, cmd.Process.Pid)
		for i := 0; i < 60; i++ {
			time.Sleep(time.Second)
			now := serverMemory(b, metrics, cmd.Process.Pid)
			settled := now.goroutines == with.goroutines
			with = now
			if settled {
				break
			}
		}
		per := func(a, z float64) float64 { return (z - a) / float64(n) / 1024 }
		report := func(suffix string, with memory) {
			b.ReportMetric(with.rss/(1<<20), "server-RSS-MiB"+suffix)
			b.ReportMetric(per(before.rss, with.rss), "server-RSS-KiB/subscriber"+suffix)
			b.ReportMetric(per(before.heap+before.stack, with.heap+with.stack), "server-heap+stack-KiB/subscriber"+suffix)
			b.ReportMetric(per(before.stack, with.stack), "server-stack-KiB/subscriber"+suffix)
		}
		b.ReportMetric(float64(n), "subscribers")
		b.ReportMetric((with.goroutines-before.goroutines)/float64(n), "server-goroutines/subscriber")
		report("", with)
		// Idle for longer: the runtime collects at least every two minutes,
		// and each collection halves the stacks that grew while a
		// subscription started and returns freed memory to the system.
		if settle := duration(b, "ORGQL_BENCH_SERVER_SETTLE"); settle > 0 {
			time.Sleep(settle)
			report("-settled", serverMemory(b, metrics, cmd.Process.Pid))
		}
		collections := 3
		if v, err := strconv.Atoi(os.Getenv("ORGQL_BENCH_SERVER_COLLECTIONS")); err == nil {
			collections = v
		}
		// The same after three collections now (each profile of the heap
		// collects first), as a server that has been idle a while holds.
		for range collections {
			fetch(b, metrics+"/debug/pprof/heap?gc=1", io.Discard)
		}
		report("-collected", serverMemory(b, metrics, cmd.Process.Pid))
		if dir := os.Getenv("ORGQL_BENCH_PROFILE"); dir != "" {
			for name, path := range map[string]string{"server-idle-heap.pprof": "/debug/pprof/heap", "server-idle-goroutines.txt": "/debug/pprof/goroutine?debug=1"} {
				f, err := os.Create(filepath.Join(dir, name))
				if err != nil {
					b.Fatal(err)
				}
				fetch(b, metrics+path, f)
				f.Close()
			}
		}
		for _, c := range conns {
			c.CloseNow()
		}
	}
}

// post sends body to url and decodes the JSON answer into out.
func post(b *testing.B, url, authorization, body string, out any) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	data, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK || json.Unmarshal(data, out) != nil || bytes.Contains(data, []byte(`"errors"`)) {
		b.Fatalf("POST %s: %d %s", url, r.StatusCode, data)
	}
}

type memory struct{ rss, heap, stack, goroutines float64 }

// serverMemory reads the server's resident set from /proc and its Go
// runtime's figures from its Prometheus metrics.
func serverMemory(b *testing.B, base string, pid int) memory {
	var m memory
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			m.rss = kib * 1024
		}
	}
	r, err := http.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "go_memstats_heap_inuse_bytes":
			m.heap = v
		case "go_memstats_stack_inuse_bytes":
			m.stack = v
		case "go_goroutines":
			m.goroutines = v
		}
	}
	if m.rss == 0 || m.goroutines == 0 {
		b.Fatalf("no memory figures for the server (pid %d)", pid)
	}
	return m
}

// duration reads the duration of environment variable name (0 if unset).
func duration(b *testing.B, name string) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return d
}

// answerPings reads c until it closes and answers the server's keep-alive
// pings, as graphql-ws does: the server closes a client that answers none.
func answerPings(c *websocket.Conn) {
	for {
		_, m, err := c.Read(context.Background())
		if err != nil {
			return
		}
		if bytes.Contains(m, []byte(`"type":"ping"`)) {
			_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
		}
	}
}

func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// fetch GETs url into w.
func fetch(b *testing.B, url string, w io.Writer) {
	r, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", url, r.StatusCode)
	}
	if _, err := io.Copy(w, r.Body); err != nil {
		b.Fatal(err)
	}
}
