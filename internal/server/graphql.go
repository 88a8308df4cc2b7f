package server

import (
	"context"
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
	"github.com/orgql/orgql/graph/generated"
	"github.com/orgql/orgql/internal/config"
)

const readyTimeout = 2 * time.Second

// newGraphQLHandler assembles gqlgen with explicit transports and limits (api.md, security.md 1-9).
func newGraphQLHandler(cfg config.Config, r *graph.Resolver, logger *slog.Logger) *handler.Server {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCacheSize))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](cfg.APQCacheSize)})
	srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	srv.SetParserTokenLimit(cfg.ParserTokenLimit)
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.AroundRootFields(requireCaller)
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(recoverPanic(logger))
	srv.Use(entgql.Transactioner{TxOpener: r.Client})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(ctx)
	})
	return srv
}
