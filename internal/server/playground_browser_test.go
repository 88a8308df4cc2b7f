package server_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/orgql/orgql/internal/testkit"
)

// browser returns the Chromium to drive: ORGQL_TEST_CHROMIUM, else the one
// on the PATH. Without one the browser tests are skipped, unless
// ORGQL_TEST_REQUIRE_BROWSER=1 (CI installs Chromium and sets it).
func browser(t *testing.T) string {
	t.Helper()
	path := os.Getenv("ORGQL_TEST_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("ORGQL_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium: set ORGQL_TEST_CHROMIUM or install chromium (ORGQL_TEST_REQUIRE_BROWSER=1)")
		}
		t.Skip("no Chromium on this machine (.ci/run installs it)")
	}
	return path
}

// In a real browser, the playground runs a subscription over its WebSocket
// (GraphiQL's graphql-ws client, with the credential of its headers editor)
// and shows the events a change made elsewhere sends; the page asks nothing
// of any other host (it works offline).
func TestPlaygroundRunsSubscriptions(t *testing.T) {
	chromium := browser(t)
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		ts := httptest.NewServer(e.Server)
		defer ts.Close()

		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true))
		actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancel()
		ctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
		defer cancel()

		var mu sync.Mutex
		var elsewhere []string
		err := chromedp.Listen(ctx, func(ev any) {
			if r, ok := ev.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(r.Request.URL, ts.URL) &&
				!strings.HasPrefix(r.Request.URL, "ws"+strings.TrimPrefix(ts.URL, "http")) &&
				!strings.HasPrefix(r.Request.URL, "data:") {
				mu.Lock()
				elsewhere = append(elsewhere, r.Request.URL)
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatal(err)
		}

		doc := `subscription { organizationEvents(organizationID: "` + org.ID + `") { type change } }`
		headers, _ := json.Marshal(map[string]string{"Authorization": alice.Authorization()})
		store := func(key, value string) error {
			k, _ := json.Marshal("orgql:graphiql:" + key)
			v, _ := json.Marshal(value)
			_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`localStorage.setItem(`+string(k)+`, `+string(v)+`)`))
			return err
		}
		execute := chromedp.CSS(".graphiql-execute-button")
		enableNetwork := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{})
			return err
		})
		// GraphiQL starts from what it stored: the document, and the headers it
		// sends. They are stored from another page of the server (the same
		// origin) before GraphiQL first loads, since it stores its own tabs.
		if err := chromedp.Do(ctx, enableNetwork, chromedp.Navigate(ts.URL+"/playground/LICENSE.graphiql")); err != nil {
			t.Fatal(err)
		}
		if err := store("query", doc); err != nil {
			t.Fatal(err)
		}
		if err := store("headers", string(headers)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(execute), chromedp.Click(execute)); err != nil {
			t.Fatal(err)
		}
		text := func(sel string) string {
			s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
			return s
		}
		// The subscription runs once the server counts it; then a change shows.
		deadline := time.Now().Add(20 * time.Second)
		for scrape(t, e.Server.MetricsHandler())[`orgql_subscriptions_active{field="organizationEvents",transport="websocket"}`] != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("the playground's subscription did not start; the page shows: %.2000s", text("body"))
			}
			time.Sleep(50 * time.Millisecond)
		}
		describe := func(text string) {
			alice.Do(t, `mutation($id: ID!, $d: String!) { updateOrganization(id: $id, input: {description: $d}) { id } }`,
				map[string]any{"id": org.ID, "d": text}).OK(t, nil)
		}
		describe("seen in the playground")
		var shown string
		for !strings.Contains(shown, "seen in the playground") {
			if time.Now().After(deadline) {
				t.Fatalf("the playground shows no event: %.2000s", shown)
			}
			time.Sleep(100 * time.Millisecond)
			shown = text(".result-window")
		}
		mu.Lock()
		defer mu.Unlock()
		if len(elsewhere) > 0 {
			t.Errorf("the playground asked other hosts: %v", elsewhere)
		}
	})
}
