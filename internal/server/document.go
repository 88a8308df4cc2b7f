package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// documentCheck parses and validates a document new to the query cache
// before gqlgen's executor would, so that the shape limits come first and
// validation records no more than maxErrors errors. A valid document goes
// into the query cache, where the executor then finds it parsed and
// validated. The errors of an invalid one go to the plain HTTP transports
// (plainRequest); for another transport the executor parses and validates it
// again and reports them itself.
type documentCheck struct {
	cache      graphql.Cache[*ast.QueryDocument]
	tokenLimit int
	rules      func() *rules.Rules // the executor's
	limits     shapeLimits
	schema     *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = &documentCheck{}

func (*documentCheck) ExtensionName() string { return "DocumentCheck" }

func (d *documentCheck) Validate(es graphql.ExecutableSchema) error {
	d.schema = es.Schema()
	d.limits.maxArguments = longestArgumentList(d.schema)
	return nil
}

func (d *documentCheck) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	req := plainRequestFrom(ctx)
	doc, cached := d.cache.Get(ctx, params.Query)
	if !cached {
		parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, d.tokenLimit)
		if err != nil {
			gqlErr, ok := err.(*gqlerror.Error)
			if !ok {
				return nil // the executor parses it again and reports it
			}
			errcode.Set(gqlErr, errcode.ParseFailed)
			return gqlErr
		}
		if len(parsed.Operations) == 0 {
			return nil // the executor says so
		}
		if err := d.limits.check(parsed); err != nil {
			return err
		}
		doc = parsed
	}
	if err := req.allows(doc.Operations.ForName(params.OperationName)); err != nil {
		return err
	}
	if cached {
		return nil
	}
	if errs := d.validate(doc); errs != nil {
		if req == nil {
			return nil
		}
		req.errs = errs
		return errs[0]
	}
	d.cache.Add(ctx, params.Query, doc)
	return nil
}

// validate validates doc with the executor's rules, keeping the first
// maxErrors errors and saying how many more there were.
func (d *documentCheck) validate(doc *ast.QueryDocument) gqlerror.List {
	total := 0
	counted := rules.NewRules()
	for name, rule := range d.rules().GetInner() {
		counted.AddRule(name, func(observers *core.Events, addError core.AddErrFunc) {
			rule(observers, func(options ...core.ErrorOption) {
				if total++; total <= maxErrors {
					addError(options...)
				}
			})
		})
	}
	errs := validator.ValidateWithRules(d.schema, doc, counted)
	for _, err := range errs {
		errcode.Set(err, errcode.ValidationFailed)
	}
	if total > maxErrors {
		errs = append(errs, omitted(total-maxErrors, errcode.ValidationFailed))
	}
	return errs
}

// longestArgumentList is the most arguments a field or directive of schema takes.
func longestArgumentList(schema *ast.Schema) int {
	n := 0
	for _, t := range schema.Types {
		for _, f := range t.Fields {
			n = max(n, len(f.Arguments))
		}
	}
	for _, d := range schema.Directives {
		n = max(n, len(d.Arguments))
	}
	return n
}
