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

	"github.com/orgql/orgql/graph"
	"github.com/orgql/orgql/internal/config"
)

const readyTimeout = 2 * time.Second

// newGraphQLHandler assembles gqlgen with explicit transports and limits
// (docs/security.md S1-S9). aroundFields, when set, wraps every resolver.
func newGraphQLHandler(cfg config.Config, r *graph.Resolver, logger *slog.Logger, aroundFields graphql.FieldMiddleware) *handler.Server {
	srv := handler.New(graph.NewExecutableSchema(r))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCacheSize))
	srv.SetParserTokenLimit(cfg.ParserTokenLimit)
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(noIntrospection{})
		srv.SetDisableSuggestion(true)
	}
	// Operation context mutators run in this order, all before any resolver;
	// the cost is computed on the page sizes pageSizes has filled in.
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](cfg.APQCacheSize)})
	srv.Use(requireCaller{})
	srv.Use(shapeLimits{maxDepth: cfg.MaxDepth, maxAliases: cfg.MaxAliases, maxRootFields: cfg.MaxRootFields})
	srv.Use(&inputGuard{}) // refused argument values: NUL, bad cursors, empty nested filters, oversized lists
	srv.Use(&pageSizes{})
	srv.Use(&costLimit{limit: cfg.ComplexityLimit})

	present := presentError(logger)
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(recoverPanic(logger))
	srv.AroundOperations(operationTimeout(cfg.OperationTimeout, present))
	srv.AroundOperations(cacheQueryRoles)
	srv.AroundRootFields(cacheMutationRoles)
	if aroundFields != nil {
		srv.AroundFields(aroundFields)
	}
	srv.Use(transactioner{Transactioner: entgql.Transactioner{TxOpener: r.Client}, present: present})
	return srv
}
