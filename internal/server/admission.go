package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/semaphore"

	"github.com/orgql/orgql/internal/metrics"
)

// costInFlight bounds the total cost of the queries and mutations executing
// at once (--max-cost-in-flight; docs/architecture.md "A request"). What an
// answer allocates grows with its cost, and on a few cores running more big
// answers at once finishes none of them sooner: past the bound, operations
// wait their turn, in arrival order, within their own deadline. A
// subscription's events are not held back (each costs little, and a late
// event is a lost one for the latency it promises).
type costInFlight struct {
	sem     *semaphore.Weighted
	max     int64
	metrics *metrics.Metrics
	present graphql.ErrorPresenterFunc
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = &costInFlight{}

func newCostInFlight(max int, m *metrics.Metrics, present graphql.ErrorPresenterFunc) *costInFlight {
	return &costInFlight{sem: semaphore.NewWeighted(int64(max)), max: int64(max), metrics: m, present: present}
}

func (*costInFlight) ExtensionName() string                   { return "CostInFlight" }
func (*costInFlight) Validate(graphql.ExecutableSchema) error { return nil }

func (c *costInFlight) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation == ast.Subscription {
		return next(ctx)
	}
	// The cost costLimit computed; an operation above the bound (a bound
	// set below the complexity limit) runs alone.
	cost := int64(1)
	if stats := extension.GetComplexityStats(ctx); stats != nil && stats.Complexity > 0 {
		cost = min(int64(stats.Complexity), c.max)
	}
	if !c.sem.TryAcquire(cost) {
		c.metrics.Admission(1, 0)
		err := c.sem.Acquire(ctx, cost)
		c.metrics.Admission(-1, 0)
		if err != nil {
			return &graphql.Response{Errors: gqlerror.List{c.present(ctx, ctx.Err())}}
		}
	}
	c.metrics.Admission(0, cost)
	defer func() {
		c.sem.Release(cost)
		c.metrics.Admission(0, -cost)
	}()
	return next(ctx)
}
