package main

import (
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
	var metricsAddr string
	for _, line := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		if m["msg"] == "metrics listening" {
			metricsAddr, _ = m["addr"].(string)
		}
	}
	if metricsAddr == "" {
		t.Fatalf("no metrics listener in the log:\n%s", logs)
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
