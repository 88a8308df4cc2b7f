package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

// In production the log is JSON; with --metrics-addr, /metrics is served
// there and not on the API's address.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	base, logs, stop := startBinary(t, testkit.DatabaseURL(t, testkit.SQLite), "--metrics-addr", "127.0.0.1:0")
	defer stop() //nolint:errcheck
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"query Plans { plans { code } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-RateLimit-Limit") == "" {
		t.Fatalf("rate limits are on by default: %v", resp.Header)
	}
	metricsAddr := metricsAddress(t, logs)
	if resp, err := http.Get("http://" + metricsAddr + "/debug/pprof/heap"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("profiles without --pprof: %v %v", resp, err)
	}
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/metrics on the API address: %v %v", resp, err)
	}
	resp, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `orgql_graphql_operations_total{operation="Plans",outcome="OK",type="query"} 1`) {
		t.Fatalf("metrics:\n%s", body)
	}
}

// metricsAddress is the metrics listener's address, from the JSON log.
func metricsAddress(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		if m["msg"] == "metrics listening" {
			if addr, _ := m["addr"].(string); addr != "" {
				return addr
			}
		}
	}
	t.Fatalf("no metrics listener in the log:\n%s", logs)
	return ""
}

// With --pprof, Go's profiles are served on the metrics address, and never
// on the API's; --pprof without --metrics-addr is refused.
func TestProfilesOnlyOnTheMetricsAddress(t *testing.T) {
	base, logs, stop := startBinary(t, testkit.DatabaseURL(t, testkit.SQLite), "--metrics-addr", "127.0.0.1:0", "--pprof")
	defer stop() //nolint:errcheck
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
		resp, err := http.Get("http://" + metricsAddress(t, logs) + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s on the metrics address: %d", path, resp.StatusCode)
		}
		if resp, err := http.Get(base + path); err != nil || resp.StatusCode == http.StatusOK {
			t.Errorf("%s on the API address: %v %v", path, resp, err)
		}
	}

	var out syncBuffer
	env := map[string]string{"ORGQL_DATABASE_URL": testkit.DatabaseURL(t, testkit.SQLite), "ORGQL_SECRET_KEYS": testKey(t)}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--pprof"}, func(k string) string { return env[k] }, &out)
	if err == nil || !strings.Contains(err.Error(), "metrics-addr") {
		t.Fatalf("--pprof without --metrics-addr: %v", err)
	}
}
