package server_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/rbac"
	"github.com/orgql/orgql/internal/server"
	"github.com/orgql/orgql/internal/testkit"
)

// clock is a settable clock for the rate limiter.
type clock struct{ unix atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.unix.Store(time.Date(2030, 1, 1, 10, 0, 5, 0, time.UTC).Unix())
	return c
}

func (c *clock) Now() time.Time      { return time.Unix(c.unix.Load(), 0) }
func (c *clock) Add(d time.Duration) { c.unix.Add(int64(d / time.Second)) }
func rateLimited(c *config.Config, user int) {
	c.RateLimit, c.RateLimitUser, c.RateLimitAnonymous = true, user, user
}

func newServer(t *testing.T, e *testkit.Env, opts server.Options) *server.Server {
	t.Helper()
	if opts.Keys == nil {
		opts.Keys = e.Keys
	}
	if opts.Logger == nil {
		opts.Logger = (&logBuffer{}).Logger()
	}
	srv, err := server.New(e.Config, e.DB, opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func header(t *testing.T, r *testkit.Response, name string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(r.Header.Get(name), 10, 64)
	if err != nil {
		t.Fatalf("%s: %q (%v): %s", name, r.Header.Get(name), err, r.Body)
	}
	return n
}

const plansQuery = `query Plans { plans { code name } }`

// docs/security.md S4, S26: two instances on one database share each
// caller's budget. The headers count down across both; once the budget is
// spent, the caller is RATE_LIMITED on each, with a retry hint, while another
// caller is not; the next window starts afresh.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) { rateLimited(c, 30) }, func(t *testing.T, e *testkit.Env) {
		clk := newClock()
		var logs logBuffer
		a := newServer(t, e, server.Options{RateLimitClock: clk.Now, Logger: logs.Logger()})
		b := newServer(t, e, server.Options{RateLimitClock: clk.Now})
		e.Server = a
		alice, bob := e.SignIn(t, "alice"), e.SignIn(t, "bob")
		instances := []*server.Server{a, b}

		var cost int64
		remaining := int64(30)
		var refused *testkit.Response
		for i := 0; refused == nil; i++ {
			if i > 40 {
				t.Fatal("never refused")
			}
			e.Server = instances[i%2]
			r := alice.Do(t, plansQuery, nil)
			if header(t, r, "X-RateLimit-Limit") != 30 {
				t.Fatalf("limit %s", r.Header.Get("X-RateLimit-Limit"))
			}
			if want := clk.Now().Unix()/60*60 + 60; header(t, r, "X-RateLimit-Reset") != want {
				t.Fatalf("reset %d, want %d", header(t, r, "X-RateLimit-Reset"), want)
			}
			left := header(t, r, "X-RateLimit-Remaining")
			if len(r.Errors) > 0 {
				refused = r
				break
			}
			r.OK(t, nil)
			if i == 0 {
				cost = remaining - left
				if cost < 2 {
					t.Fatalf("the first operation cost %d points", cost)
				}
			} else if left != remaining-cost {
				t.Fatalf("remaining %d after %d, want %d: the instances do not share the count", left, remaining, remaining-cost)
			}
			remaining = left
		}
		err := refused.Err(t, server.CodeRateLimited)
		if after, _ := err.Extensions["retryAfter"].(float64); after != 55 || refused.Header.Get("Retry-After") != "55" {
			t.Fatalf("retry hint %v, Retry-After %q", err.Extensions["retryAfter"], refused.Header.Get("Retry-After"))
		}
		if header(t, refused, "X-RateLimit-Remaining") != 0 {
			t.Fatalf("remaining %s", refused.Header.Get("X-RateLimit-Remaining"))
		}
		for _, s := range instances {
			e.Server = s
			alice.Do(t, plansQuery, nil).Err(t, server.CodeRateLimited)
			alice.Do(t, `{ viewer { user { id } } }`, nil).Err(t, server.CodeRateLimited)
			r := bob.Do(t, plansQuery, nil).OK(t, nil)
			if header(t, r, "X-RateLimit-Remaining") >= 30 {
				t.Fatalf("bob's remaining %s", r.Header.Get("X-RateLimit-Remaining"))
			}
		}
		if m := scrape(t, a.MetricsHandler()); m[`orgql_rate_limited_total{caller="user"}`] < 2 ||
			m[`orgql_graphql_operations_total{operation="Plans",outcome="RATE_LIMITED",type="query"}`] < 2 {
			t.Fatalf("refusals not counted: %v", pick(m, "orgql_rate"))
		}
		clk.Add(time.Minute)
		e.Server = b
		r := alice.Do(t, plansQuery, nil).OK(t, nil)
		if header(t, r, "X-RateLimit-Remaining") != 30-cost {
			t.Fatalf("a new window: remaining %s", r.Header.Get("X-RateLimit-Remaining"))
		}
		if strings.Contains(logs.String(), "rate limit:") {
			t.Fatalf("the limiter failed:\n%s", logs.String())
		}
	})
}

// Callers without credentials have a budget per client address; an API
// token has its organization's plan's budget; a request refused before its
// cost is known still carries the headers.
func TestRateLimitCallers(t *testing.T) {
	testkit.RunWith(t, func(c *config.Config) {
		rateLimited(c, 1000)
		c.RateLimitAnonymous = 500
		c.RateLimitPlans = []string{"FREE=700"}
	}, func(t *testing.T, e *testkit.Env) {
		clk := newClock()
		e.Server = newServer(t, e, server.Options{RateLimitClock: clk.Now})
		from := func(addr string) *testkit.Response {
			req := post(t, map[string]any{"query": plansQuery})
			req.RemoteAddr = addr + ":1234"
			return e.Anonymous().Send(t, req)
		}
		// No other test of the package calls anonymously with the limiter on.
		first := from("203.0.113.7")
		second := from("203.0.113.7")
		elsewhere := from("198.51.100.7")
		if header(t, first, "X-RateLimit-Limit") != 500 || header(t, second, "X-RateLimit-Remaining") >= header(t, first, "X-RateLimit-Remaining") {
			t.Fatalf("anonymous budget: %v then %v", first.Header, second.Header)
		}
		if header(t, elsewhere, "X-RateLimit-Remaining") != header(t, first, "X-RateLimit-Remaining") {
			t.Fatalf("another address shares the budget: %v, first %v", elsewhere.Header, first.Header)
		}

		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		token, _ := alice.CreateAPIToken(t, org, e.RoleID(t, org, rbac.Admin))
		r := token.Do(t, `{ viewer { apiToken { id } } }`, nil).OK(t, nil)
		if header(t, r, "X-RateLimit-Limit") != 700 {
			t.Fatalf("a FREE organization's token: limit %s", r.Header.Get("X-RateLimit-Limit"))
		}
		if r := alice.Do(t, plansQuery, nil); header(t, r, "X-RateLimit-Limit") != 1000 {
			t.Fatalf("a user: limit %s", r.Header.Get("X-RateLimit-Limit"))
		}
		// A document that does not parse costs 1 point and says so.
		before := header(t, alice.Do(t, plansQuery, nil), "X-RateLimit-Remaining")
		bad := alice.Do(t, `{ plans {`, nil)
		bad.Err(t, "GRAPHQL_PARSE_FAILED")
		if header(t, bad, "X-RateLimit-Remaining") != before-1 {
			t.Fatalf("a parse failure: remaining %s after %d", bad.Header.Get("X-RateLimit-Remaining"), before)
		}
		req := httptest.NewRequest("POST", "/graphql", strings.NewReader("not json"))
		req.Header.Set("Content-Type", "application/json")
		if r := alice.Send(t, req); r.Status != 400 || header(t, r, "X-RateLimit-Remaining") != before-2 {
			t.Fatalf("a bad body: %d, remaining %s", r.Status, r.Header.Get("X-RateLimit-Remaining"))
		}
	})
}

// Turned off, the limiter costs nothing: no header, no statement.
func TestRateLimitOff(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		var stmts testkit.Statements
		r := alice.WithStatements(&stmts).Do(t, plansQuery, nil).OK(t, nil)
		if r.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("headers while off: %v", r.Header)
		}
		for _, s := range stmts.List() {
			if strings.Contains(s, "rate_limit") {
				t.Fatalf("a rate-limit statement while off: %s", s)
			}
		}
	})
}

// What the rate limit adds to a request (its one upsert), against the same
// request with it off:
//
//	go test ./internal/server -run '^$' -bench 'Request(Limited|Unlimited)'
func BenchmarkRequestLimited(b *testing.B)   { benchRequest(b, true) }
func BenchmarkRequestUnlimited(b *testing.B) { benchRequest(b, false) }

func benchRequest(b *testing.B, limited bool) {
	backends := testkit.Backends(b)
	e := testkit.New(b, backends[len(backends)-1], func(c *config.Config) { // PostgreSQL when configured
		c.RateLimit = limited
		c.RateLimitUser = 1 << 40
	})
	e.Reconfigure(b, func(o *server.Options) { o.Logger = (&logBuffer{}).Logger() })
	alice := e.SignIn(b, "alice")
	for b.Loop() {
		alice.Do(b, plansQuery, nil).OK(b, nil)
	}
}
