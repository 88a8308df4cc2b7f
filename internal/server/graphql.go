package server

import (
	"log/slog"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/config"
	"github.com/orgql/orgql/internal/trusted"
)

const readyTimeout = 2 * time.Second

// operating is what the GraphQL handler needs of the operators' features
// (operating.go, trusted.go, ratelimit.go).
type operating struct {
	obs       *observability
	trusted   *trusted.Documents
	rateLimit bool
}

// newGraphQLHandler assembles gqlgen with explicit transports and limits
// (docs/security.md S1-S9). aroundFields, when set, wraps every resolver.
func newGraphQLHandler(cfg config.Config, r *graph.Resolver, logger *slog.Logger, aroundFields graphql.FieldMiddleware, live *streams, ops operating) *handler.Server {
	srv := handler.New(graph.NewExecutableSchema(r))
	srv.Use(observeOperation{ops.obs}) // first: the outermost response interceptor sees every answer
	srv.AddTransport(transport.Options{})
	// Subscriptions (live.go): WebSocket, then Server-Sent Events, before the plain transports.
	srv.AddTransport(live.ws)
	srv.AddTransport(sseTransport{s: live, sse: transport.SSE{KeepAlivePingInterval: cfg.WSKeepAlive}})
	srv.AddTransport(getTransport{})
	srv.AddTransport(postTransport{})
	srv.AddTransport(unsupportedTransport{}) // last: answers what no transport serves

	documents := lru.New[*ast.QueryDocument](cfg.QueryCacheSize)
	srv.SetQueryCache(documents)
	srv.SetParserTokenLimit(cfg.ParserTokenLimit)
	validationRules := rules.NewDefaultRules
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
		srv.SetDisableSuggestion(true)
		validationRules = rulesWithoutSuggestions
		srv.SetValidationRulesFn(validationRules)
	}
	// Mutators run in this order, all before any resolver: the persisted
	// query is looked up, the document's shape is measured and then the
	// document validated, and the cost is computed on the page sizes
	// pageSizes has filled in.
	if ops.trusted != nil {
		srv.Use(trustedFill{ops.trusted})
	} else {
		srv.Use(noTrustedDocuments{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](cfg.APQCacheSize)})
	if ops.trusted != nil {
		// After APQ has found the text, before anything parses it.
		srv.Use(trustedCheck{docs: ops.trusted, exempt: cfg.TrustedDocumentsExempt, obs: ops.obs})
	}
	srv.Use(&documentCheck{
		cache: documents, tokenLimit: cfg.ParserTokenLimit, rules: validationRules,
		limits: shapeLimits{
			maxDepth: cfg.MaxDepth, maxAliases: cfg.MaxAliases, maxRootFields: cfg.MaxRootFields,
			maxSelections: cfg.MaxSelections, maxMergedFields: cfg.MaxMergedFields,
		},
	})
	srv.Use(requireCaller{})
	srv.Use(&inputGuard{}) // refused argument values: NUL, bad cursors, empty nested filters, oversized lists
	srv.Use(&pageSizes{})
	srv.Use(&costLimit{limit: cfg.ComplexityLimit})
	if ops.rateLimit {
		srv.Use(rateLimitCheck{ops.obs}) // charges the cost costLimit computed
	}

	present := presentError(logger, !cfg.Introspection)
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(recoverPanic(logger))
	srv.AroundOperations(operationTimeout(cfg.OperationTimeout, present))
	srv.AroundOperations(cacheQueryRoles)
	srv.AroundOperations(limitOperations(cfg.MaxSubscriptionsPerConn, cfg.MaxOperationsPerConn))
	srv.AroundRootFields(cacheMutationRoles)
	if aroundFields != nil {
		srv.AroundFields(aroundFields)
	}
	// Before the transaction: an operation waiting its turn holds no connection.
	srv.Use(newCostInFlight(cfg.MaxCostInFlight, ops.obs.metrics, present))
	srv.Use(transactioner{Transactioner: entgql.Transactioner{TxOpener: r.Client}, present: present})
	return srv
}
