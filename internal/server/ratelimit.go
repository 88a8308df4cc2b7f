package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/observe"
	"github.com/orgql/orgql/internal/ratelimit"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// CodeRateLimited is the code of an operation over its caller's budget.
const CodeRateLimited = apperr.CodeRateLimited

// rateLimits charges each GraphQL request to its caller's budget
// (docs/security.md S4): the operation's cost once it is computed
// (rateLimitCheck), or 1 point for a request refused before that, when its
// answer is written. Either way one statement, and the X-RateLimit-*
// headers on the answer.
type rateLimits struct {
	limiter  *ratelimit.Limiter
	budgets  ratelimit.Budgets
	plans    *ratelimit.PlanCache
	ipHeader string
	obs      *observability
}

func newRateLimits(s *Server, budgets ratelimit.Budgets, now func() time.Time) *rateLimits {
	limiter := ratelimit.New(s.db.SQL, s.db.Dialect, s.cfg.RateLimitWindow, s.logger)
	if now != nil {
		limiter.Now = now
	} else {
		now = time.Now
	}
	client := s.db.Client
	return &rateLimits{
		limiter: limiter, budgets: budgets, ipHeader: s.cfg.ClientIPHeader, obs: s.obs,
		plans: &ratelimit.PlanCache{TTL: s.cfg.RateLimitWindow, Now: now, Lookup: func(ctx context.Context, orgID string) (string, error) {
			plan, err := client.Organization.Query().Where(organization.ID(orgID)).
				Select(organization.FieldPlan).String(tenancy.AsSystem(ctx, tenancy.RateLimit))
			return plan, err
		}},
	}
}

// signIn charges each request of the sign-in flow (its start and the
// provider's callback, each of which writes to the database before anyone
// is signed in) to its client address, limit per window on a counter of its
// own (docs/security.md S4); over it, 429 with Retry-After, and nothing is
// written.
func (rl *rateLimits) signIn(limit int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			state, err := rl.limiter.Take(r.Context(), "signin:"+ratelimit.AddressOf(r, rl.ipHeader), 1, limit)
			if err != nil {
				rl.obs.logError(r.Context(), "rate limit: the sign-in budget could not be counted; the request goes through", err)
			} else if state.Over() {
				rl.obs.metrics.RateLimited("sign_in")
				after := retryAfter(state, rl.limiter.Now())
				w.Header().Set("Retry-After", strconv.Itoa(after))
				w.Header().Set("Cache-Control", "no-store")
				http.Error(w, fmt.Sprintf("Too many sign-in attempts from this address: at most %d per %s. Retry in %d s.", limit, rl.limiter.Window, after), http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type ticketKey struct{}

// ticket is one request's charge, taken once.
type ticket struct {
	rl     *rateLimits
	caller ratelimit.Caller
	header http.Header

	mu    sync.Mutex
	taken bool
	state ratelimit.State
	ok    bool
}

// middleware runs after authentication, so the caller is known.
func (rl *rateLimits) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := &ticket{rl: rl, caller: ratelimit.CallerOf(r, rl.ipHeader), header: w.Header()}
		if rec := observe.FromContext(r.Context()); rec != nil {
			rec.UpdateOperation(func(op *observe.Operation) { op.CallerKind = t.caller.Kind })
		}
		ctx := context.WithValue(r.Context(), ticketKey{}, t)
		next.ServeHTTP(&chargeOnWrite{ResponseWriter: w, ctx: ctx, t: t}, r.WithContext(ctx))
	})
}

// take charges cost once and sets the headers; a failure to count is
// logged and lets the request through (the database is then failing the
// request anyway).
func (t *ticket) take(ctx context.Context, cost int) (ratelimit.State, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.taken {
		return t.state, t.ok
	}
	t.taken = true
	limit, err := t.rl.budgets.Limit(ctx, t.caller, t.rl.plans)
	if err == nil {
		t.state, err = t.rl.limiter.Take(ctx, t.caller.Key, cost, limit)
	}
	if err != nil {
		t.rl.obs.logError(ctx, "rate limit: the budget could not be counted; the request goes through", err)
		return t.state, false
	}
	t.ok = true
	h := t.header
	h.Set("X-RateLimit-Limit", strconv.Itoa(t.state.Limit))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(t.state.Remaining(), 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(t.state.Reset.Unix(), 10))
	if t.state.Over() {
		h.Set("Retry-After", strconv.Itoa(retryAfter(t.state, t.rl.limiter.Now())))
	}
	return t.state, true
}

func retryAfter(s ratelimit.State, now time.Time) int {
	return max(1, int(math.Ceil(s.Reset.Sub(now).Seconds())))
}

// chargeOnWrite charges 1 point to a request answered before its cost was
// known (a body that is not JSON, a document that does not parse).
type chargeOnWrite struct {
	http.ResponseWriter
	ctx context.Context
	t   *ticket
}

func (w *chargeOnWrite) WriteHeader(code int) {
	w.t.take(w.ctx, 1)
	w.ResponseWriter.WriteHeader(code)
}

func (w *chargeOnWrite) Write(b []byte) (int, error) {
	w.t.take(w.ctx, 1)
	return w.ResponseWriter.Write(b)
}

func (w *chargeOnWrite) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush serves streams (Server-Sent Events) that look for an http.Flusher.
func (w *chargeOnWrite) Flush() {
	w.t.take(w.ctx, 1)
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// rateLimitCheck charges the operation's cost, computed by costLimit just
// before it, and refuses it with RATE_LIMITED when the budget is spent.
type rateLimitCheck struct{ obs *observability }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = rateLimitCheck{}

func (rateLimitCheck) ExtensionName() string                   { return "RateLimit" }
func (rateLimitCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (c rateLimitCheck) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	t, _ := ctx.Value(ticketKey{}).(*ticket)
	if t == nil {
		return nil
	}
	if conn, ok := ctx.Value(connectionKey{}).(*connection); ok && conn.ws {
		// A WebSocket is one HTTP request, made before connection_init
		// authenticated it, carrying any number of operations: each is
		// charged on its own to the caller the connection authenticated.
		caller, ok := ratelimit.Authenticated(viewer.FromContext(ctx))
		if !ok {
			return nil // connection_init admits no one else
		}
		t = &ticket{rl: t.rl, caller: caller, header: http.Header{}}
	}
	cost := 1
	if stats, ok := oc.Stats.GetExtension(extension.ComplexityLimit{}.ExtensionName()).(*extension.ComplexityStats); ok {
		cost = max(cost, stats.Complexity)
	}
	state, ok := t.take(ctx, cost)
	if !ok || !state.Over() {
		return nil
	}
	c.obs.metrics.RateLimited(t.caller.Kind)
	after := retryAfter(state, t.rl.limiter.Now())
	err := gqlerror.Errorf("rate limit exceeded: this caller may spend %d cost points per %s; retry in %d s", state.Limit, t.rl.limiter.Window, after)
	err.Extensions = map[string]any{"code": CodeRateLimited, "retryAfter": after, "limit": state.Limit, "cost": cost}
	return err
}

func (o *observability) logError(ctx context.Context, msg string, err error) {
	if o.logger != nil {
		o.logger.ErrorContext(ctx, msg, "error", fmt.Sprint(err))
	}
}
