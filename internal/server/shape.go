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
	m := &shapeMeter{doc: doc, fragments: map[string]shape{}}
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
	x := &expansion{fragments: map[string]*ast.FragmentDefinition{}, budget: l.maxSelections, maxMerged: l.maxMergedFields, maxArguments: l.maxArguments}
	for _, f := range doc.Fragments {
		if _, ok := x.fragments[f.Name]; !ok {
			x.fragments[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		if err := x.merge([]pending{{set: op.SelectionSet}}); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := x.merge([]pending{{set: f.SelectionSet, path: &fragmentPath{name: f.Name}}}); err != nil {
			return err
		}
	}
	return nil
}

func shapeError(limit string, value, maximum int) *gqlerror.Error {
	name := map[string]string{"depth": "depth", "aliases": "number of aliases", "rootFields": "number of root fields"}[limit]
	return limitError(limit, maximum, "operation %s %d exceeds the limit of %d", name, value, maximum)
}

func limitError(limit string, maximum int, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
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
	doc       *ast.QueryDocument
	fragments map[string]shape
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
	if s, ok := m.fragments[name]; ok {
		return s
	}
	m.fragments[name] = shape{} // a cycle ends here; expansion refuses it
	var s shape
	if def := m.doc.Fragments.ForName(name); def != nil {
		s = m.selectionSet(def.SelectionSet)
	}
	m.fragments[name] = s
	return s
}

// expansion walks a document as validation sees it: fragments expanded where
// they are spread, and the fields under one response name at one place
// merged, their selections merged in turn. It stops at budget selections, so
// it costs at most that much whatever the document.
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

// pending is a selection set to merge, with the fragments it lies in.
type pending struct {
	set  ast.SelectionSet
	path *fragmentPath
}

// fragmentPath lists the fragments being expanded, innermost first.
type fragmentPath struct {
	name string
	up   *fragmentPath
}

func (p *fragmentPath) has(name string) bool {
	for ; p != nil; p = p.up {
		if p.name == name {
			return true
		}
	}
	return false
}

// merged is the fields under one response name at one place.
type merged struct {
	count    int
	first    *ast.Field
	children []pending
}

func (x *expansion) merge(sets []pending) *gqlerror.Error {
	var names []string
	groups := map[string]*merged{}
	for _, p := range sets {
		if err := x.collect(p.set, p.path, groups, &names); err != nil {
			return err
		}
	}
	for _, name := range names {
		g := groups[name]
		if g.count > x.maxMerged {
			err := limitError("mergedFields", x.maxMerged, `"%s" is selected %d times at one place (counting fragments), over the limit of %d`, name, g.count, x.maxMerged)
			err.Locations = []gqlerror.Location{{Line: g.first.Position.Line, Column: g.first.Position.Column}}
			return err
		}
		if len(g.children) > 0 {
			if err := x.merge(g.children); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *expansion) collect(set ast.SelectionSet, path *fragmentPath, groups map[string]*merged, names *[]string) *gqlerror.Error {
	for _, sel := range set {
		if x.used++; x.used > x.budget {
			return limitError("selections", x.budget, "the document has more than %d selections (fields and fragments, counting a fragment at every spread and in its definition)", x.budget)
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
				g.children = append(g.children, pending{set: s.SelectionSet, path: path})
			}
		case *ast.InlineFragment:
			if err := x.collect(s.SelectionSet, path, groups, names); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			def := x.fragments[s.Name]
			if def == nil {
				continue // validation reports it
			}
			if path.has(s.Name) {
				err := gqlerror.ErrorPosf(s.Position, `Cannot spread fragment "%s" within itself.`, s.Name)
				errcode.Set(err, errcode.ValidationFailed)
				return err
			}
			if err := x.collect(def.SelectionSet, &fragmentPath{name: s.Name, up: path}, groups, names); err != nil {
				return err
			}
		}
	}
	return nil
}
