package server

import (
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// shapeLimits are the limits on a document's shape, checked before
// validation: some of validation's rules take time quadratic in the fields
// merging under one response name (OverlappingFieldsCanBeMerged) or in the
// fragments a document nests, so a document of 15,000 tokens could cost
// seconds. Every operation of the document is measured, since every one is
// validated: its depth, aliases and root fields (fragments count where they
// are spread; introspection fields are left out of depth and aliases, as
// GraphiQL's introspection query is deeper than any sensible limit). Then the
// whole document: its selections, counting a fragment's at every spread and
// once more for its definition (validation walks each), the fields that
// merge under one response name at one place, and the arguments of each
// field, which cannot be more than the schema's longest argument list.
type shapeLimits struct {
	maxDepth, maxAliases, maxRootFields int
	maxSelections, maxMergedFields      int
	maxArguments                        int
}

func (l *shapeLimits) check(doc *ast.QueryDocument) *gqlerror.Error {
	fragments := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if _, ok := fragments[f.Name]; !ok { // as ForName: the first of a name
			fragments[f.Name] = f
		}
	}
	if spread := fragmentCycle(doc.Fragments, fragments); spread != nil {
		err := gqlerror.ErrorPosf(spread.Position, `Cannot spread fragment "%s" within itself.`, spread.Name)
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	m := &shapeMeter{fragments: fragments, shapes: map[string]shape{}}
	for _, op := range doc.Operations {
		s := m.selectionSet(op.SelectionSet)
		switch {
		case s.depth > l.maxDepth:
			return shapeError("depth", s.depth, l.maxDepth)
		case s.aliases > l.maxAliases:
			return shapeError("aliases", s.aliases, l.maxAliases)
		case s.fields > l.maxRootFields:
			return shapeError("rootFields", s.fields, l.maxRootFields)
		}
	}
	x := &expansion{fragments: fragments, budget: l.maxSelections, maxMerged: l.maxMergedFields, maxArguments: l.maxArguments}
	for _, op := range doc.Operations {
		if err := x.merge([]ast.SelectionSet{op.SelectionSet}); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := x.merge([]ast.SelectionSet{f.SelectionSet}); err != nil {
			return err
		}
	}
	return nil
}

// fragmentCycle returns a spread closing a cycle of fragments, or nil: in
// time linear in the document, where validation's own search is quadratic.
func fragmentCycle(defs ast.FragmentDefinitionList, fragments map[string]*ast.FragmentDefinition) *ast.FragmentSpread {
	const (
		visiting = iota + 1
		visited
	)
	state := map[string]int{}
	var visit func(def *ast.FragmentDefinition) *ast.FragmentSpread
	visit = func(def *ast.FragmentDefinition) *ast.FragmentSpread {
		state[def.Name] = visiting
		for _, spread := range spreadsIn(def.SelectionSet, nil) {
			next := fragments[spread.Name]
			switch {
			case next == nil || state[spread.Name] == visited:
			case state[spread.Name] == visiting:
				return spread
			default:
				if cycle := visit(next); cycle != nil {
					return cycle
				}
			}
		}
		state[def.Name] = visited
		return nil
	}
	for _, def := range defs {
		if state[def.Name] == 0 {
			if cycle := visit(fragments[def.Name]); cycle != nil {
				return cycle
			}
		}
	}
	return nil
}

// spreadsIn appends the fragment spreads anywhere in set to spreads.
func spreadsIn(set ast.SelectionSet, spreads []*ast.FragmentSpread) []*ast.FragmentSpread {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			spreads = spreadsIn(s.SelectionSet, spreads)
		case *ast.InlineFragment:
			spreads = spreadsIn(s.SelectionSet, spreads)
		case *ast.FragmentSpread:
			spreads = append(spreads, s)
		}
	}
	return spreads
}

func shapeError(limit string, value, maximum int) *gqlerror.Error {
	name := map[string]string{"depth": "depth", "aliases": "number of aliases", "rootFields": "number of root fields"}[limit]
	return withLimit(gqlerror.Errorf("operation %s %d exceeds the limit of %d", name, value, maximum), limit, maximum)
}

// withLimit makes err a validation error naming the limit it is over.
func withLimit(err *gqlerror.Error, limit string, maximum int) *gqlerror.Error {
	errcode.Set(err, errcode.ValidationFailed)
	err.Extensions["limit"] = limit
	err.Extensions["maximum"] = maximum
	return err
}

// shape measures a selection set: how deep it nests, how many aliases it
// holds at any depth and how many fields it has at its own level.
type shape struct{ depth, aliases, fields int }

// shapeMeter measures each fragment once, so fragments spreading fragments
// cost time linear in the document.
type shapeMeter struct {
	fragments map[string]*ast.FragmentDefinition
	shapes    map[string]shape
}

func (m *shapeMeter) selectionSet(set ast.SelectionSet) shape {
	var s shape
	for _, sel := range set {
		var inner shape
		switch f := sel.(type) {
		case *ast.Field:
			inner = shape{fields: 1}
			if strings.HasPrefix(f.Name, "__") && f.Name != "__typename" {
				break
			}
			child := m.selectionSet(f.SelectionSet)
			inner.depth = child.depth + 1
			inner.aliases = child.aliases
			if f.Alias != f.Name {
				inner.aliases = addCost(inner.aliases, 1)
			}
		case *ast.InlineFragment:
			inner = m.selectionSet(f.SelectionSet)
		case *ast.FragmentSpread:
			inner = m.fragment(f.Name)
		}
		s.depth = max(s.depth, inner.depth)
		s.aliases = addCost(s.aliases, inner.aliases)
		s.fields = addCost(s.fields, inner.fields)
	}
	return s
}

func (m *shapeMeter) fragment(name string) shape {
	if s, ok := m.shapes[name]; ok {
		return s
	}
	var s shape
	if def := m.fragments[name]; def != nil {
		s = m.selectionSet(def.SelectionSet)
	}
	m.shapes[name] = s
	return s
}

// expansion walks a document as validation sees it: fragments expanded where
// they are spread, and the fields under one response name at one place
// merged, their selections merged in turn. It stops at budget selections, so
// it costs at most that much whatever the document (which has no fragment
// cycle).
type expansion struct {
	fragments map[string]*ast.FragmentDefinition
	budget    int
	used      int
	maxMerged int
	// maxArguments is the longest argument list of the schema: a field with
	// more has an unknown or repeated one, and merging fields compares
	// argument lists pairwise.
	maxArguments int
}

// merged is the fields under one response name at one place.
type merged struct {
	count    int
	first    *ast.Field
	children []ast.SelectionSet
}

func (x *expansion) merge(sets []ast.SelectionSet) *gqlerror.Error {
	var names []string
	groups := map[string]*merged{}
	for _, set := range sets {
		if err := x.collect(set, groups, &names); err != nil {
			return err
		}
	}
	for _, name := range names {
		g := groups[name]
		if g.count > x.maxMerged {
			err := gqlerror.ErrorPosf(g.first.Position, `"%s" is selected %d times at one place (counting fragments), over the limit of %d`, name, g.count, x.maxMerged)
			return withLimit(err, "mergedFields", x.maxMerged)
		}
		if len(g.children) > 0 {
			if err := x.merge(g.children); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *expansion) collect(set ast.SelectionSet, groups map[string]*merged, names *[]string) *gqlerror.Error {
	for _, sel := range set {
		if x.used++; x.used > x.budget {
			err := gqlerror.Errorf("the document has more than %d selections (fields and fragments, counting a fragment at every spread and in its definition)", x.budget)
			return withLimit(err, "selections", x.budget)
		}
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.Arguments) > x.maxArguments {
				err := gqlerror.ErrorPosf(s.Position, `Field "%s" has %d arguments, more than any field takes.`, s.Name, len(s.Arguments))
				errcode.Set(err, errcode.ValidationFailed)
				err.Extensions["limit"] = "arguments"
				return err
			}
			g := groups[s.Alias]
			if g == nil {
				g = &merged{first: s}
				groups[s.Alias] = g
				*names = append(*names, s.Alias)
			}
			g.count++
			if len(s.SelectionSet) > 0 {
				g.children = append(g.children, s.SelectionSet)
			}
		case *ast.InlineFragment:
			if err := x.collect(s.SelectionSet, groups, names); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if def := x.fragments[s.Name]; def != nil { // else validation reports it
				if err := x.collect(def.SelectionSet, groups, names); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
