package server

import (
	"context"
	"maps"
	"net/http"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/observe"
	"github.com/orgql/orgql/internal/trusted"
	"github.com/orgql/orgql/internal/viewer"
)

// CodeNotTrusted is the code of a document that is not among the trusted
// documents (Apollo's name for it).
const CodeNotTrusted = "PERSISTED_QUERY_NOT_IN_LIST"

// trustedFill runs before APQ: a request naming a trusted document by its
// hash alone (extensions.persistedQuery.sha256Hash, or graphql-codegen's
// documentId in the body or query string) gets its text.
type trustedFill struct{ docs *trusted.Documents }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedFill{}

func (trustedFill) ExtensionName() string                   { return "TrustedDocumentsByHash" }
func (trustedFill) Validate(graphql.ExecutableSchema) error { return nil }

func (f trustedFill) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query != "" {
		return nil
	}
	id := documentID(ctx)
	if id == "" {
		pq, _ := params.Extensions["persistedQuery"].(map[string]any)
		id, _ = pq["sha256Hash"].(string)
	}
	// Unknown, the query stays empty (or APQ's): trustedCheck decides.
	if text, ok := f.docs.ByID(id); ok {
		params.Query = text
		// The manifest's id need not be APQ's SHA-256: APQ has nothing to do.
		params.Extensions = maps.Clone(params.Extensions)
		delete(params.Extensions, "persistedQuery")
	}
	return nil
}

// trustedCheck runs after APQ and before the document is parsed: a
// document that is not trusted is refused, by the SHA-256 of its text,
// unless the caller is one of the exempt users.
type trustedCheck struct {
	docs   *trusted.Documents
	exempt []string
	obs    *observability
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedCheck{}

func (trustedCheck) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (c trustedCheck) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if c.docs.Allowed(params.Query) {
		if rec := observe.FromContext(ctx); rec != nil {
			rec.UpdateOperation(func(op *observe.Operation) { op.Trusted = true })
		}
		return nil
	}
	if caller := viewer.FromContext(ctx); caller.IsUser() && slices.Contains(c.exempt, caller.UserID) {
		return nil
	}
	c.obs.metrics.Untrusted()
	err := gqlerror.Errorf("this server runs only its trusted documents, and this is not one of them")
	err.Extensions = map[string]any{"code": CodeNotTrusted}
	return err
}

// noTrustedDocuments refuses a documentId without a query on a server
// without trusted documents: the ID names nothing here.
type noTrustedDocuments struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = noTrustedDocuments{}

func (noTrustedDocuments) ExtensionName() string                   { return "NoTrustedDocuments" }
func (noTrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func (noTrustedDocuments) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query != "" || documentID(ctx) == "" {
		return nil
	}
	if p := plainRequestFrom(ctx); p != nil {
		p.status = http.StatusBadRequest
	}
	err := gqlerror.Errorf(`"documentId" names a trusted document, and this server has none: send the query`)
	err.Extensions = map[string]any{"code": CodeBadRequest}
	return err
}
