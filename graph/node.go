package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/tenancy"
)

func nodeType(_ context.Context, s string) (string, error) {
	if t, ok := ent.NodeTables[id.Prefix(s)]; ok {
		return t, nil
	}
	return "", fmt.Errorf("unknown id prefix: %w", apperr.NotFound())
}

// node resolves any ID through the same privacy rules as every other read:
// an ID the caller may not see answers NOT_FOUND, like one that does not exist.
func (r *Resolver) node(ctx context.Context, s string) (ent.Noder, error) {
	n, err := r.client(ctx).Noder(ctx, s, ent.WithNodeType(nodeType))
	switch {
	case err == nil:
		return n, nil
	case ent.IsNotFound(err), tenancy.IsDenied(err), errors.Is(err, apperr.ErrNotFound):
		return nil, apperr.NotFound()
	}
	return nil, fmt.Errorf("resolve node %s: %w", s, err)
}

func (r *Resolver) nodes(ctx context.Context, ids []string) ([]ent.Noder, error) {
	if len(ids) > 100 {
		return nil, apperr.BadInput("ids", "at most 100 ids")
	}
	out := make([]ent.Noder, len(ids))
	for i, s := range ids {
		n, err := r.node(ctx, s)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
