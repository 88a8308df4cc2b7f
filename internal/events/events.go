// Package events writes the organization event log: one row per change, in
// the change's own transaction, so the audit log and live subscriptions never
// see a change that rolled back, nor miss one that committed.
package events

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	entgo "entgo.io/ent"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/viewer"
)

// Event is one change to an organization.
type Event struct {
	OrganizationID string
	Type           organizationevent.Type
	TargetType     organizationevent.TargetType
	TargetID       string
	TargetName     string
	// Change says what changed. It never holds a secret: diffs of ent
	// mutations come from Changes, which leaves sensitive values out; other
	// changes are built by hand from fields that are not secret.
	Change map[string]any
}

// Record writes e in the transaction of ctx (ent.TxFromContext), the
// change's own: the row is written when the transaction commits, as its last
// statement, which also gives it its sequence (see atCommit). The actor,
// origin and user agent come from the caller in ctx.
func Record(ctx context.Context, e Event) error {
	r := row{Event: e, id: id.New(id.OrganizationEvent), actorType: organizationevent.ActorTypeSYSTEM}
	c := viewer.FromContext(ctx)
	switch c.Kind() {
	case viewer.User:
		r.actorType, r.actorID = organizationevent.ActorTypeUSER, c.UserID
	case viewer.APIToken:
		r.actorType, r.actorID = organizationevent.ActorTypeAPI_TOKEN, c.Token.ID
	}
	if c != nil {
		r.actorName, r.origin, r.agent = c.DisplayName, c.Origin, c.UserAgent
	}
	if err := r.check(); err != nil {
		return fmt.Errorf("record %s %s event: %w", e.TargetType, e.Type, err)
	}
	return atCommit(ctx, r)
}

// RecordUpdate writes an UPDATE event for e's target whose change is the
// fields that differ between before and after; when none does, it writes nothing.
func RecordUpdate(ctx context.Context, e Event, before, after map[string]any) error {
	change := Diff(before, after)
	if len(change) == 0 {
		return nil
	}
	e.Type, e.Change = organizationevent.TypeUPDATE, change
	return Record(ctx, e)
}

// Diff returns {field: {"from": old, "to": new}} for each field whose value changed.
func Diff(before, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, a := range after {
		b := before[k]
		if fmt.Sprint(a) != fmt.Sprint(b) {
			out[k] = map[string]any{"from": b, "to": a}
		}
	}
	return out
}

// Changes returns what mutation m (saved or about to be) changes, as an
// event records it, keyed by the fields' GraphQL names: the values a create
// sets, and {"from": old, "to": new} for each field an update of one row
// changes. A field the ent schema marks Sensitive appears as {"changed":
// true}, never with a value, whatever its name; fields the schema does not
// audit (internal keys, timestamps) are left out. See ent.Fields. A
// many-to-many edge (ent.Edges) appears as the IDs a create adds, and as
// {"added": [...], "removed": [...]} for an update; an update must remove
// the IDs it takes away, not clear the edge, for the event to say which.
func Changes(ctx context.Context, m ent.Mutation) (map[string]any, error) {
	out := map[string]any{}
	update := m.Op().Is(entgo.OpUpdateOne)
	for _, f := range ent.Fields[m.Type()] {
		if !f.Audited && !f.Sensitive {
			continue
		}
		to, set := m.Field(f.Name)
		cleared := m.FieldCleared(f.Name)
		if !set && !cleared {
			continue
		}
		var from ent.Value
		if update {
			old, err := m.OldField(ctx, f.Name)
			if err != nil {
				return nil, fmt.Errorf("old value of %s.%s: %w", m.Type(), f.Name, err)
			}
			if reflect.DeepEqual(old, to) {
				continue
			}
			from = old
		}
		switch {
		case f.Sensitive:
			out[f.GraphQL] = map[string]any{"changed": true}
		case update:
			out[f.GraphQL] = map[string]any{"from": from, "to": to}
		default:
			out[f.GraphQL] = to
		}
	}
	for _, e := range ent.Edges[m.Type()] {
		if m.EdgeCleared(e.Name) {
			return nil, fmt.Errorf("%s.%s is cleared: remove its IDs instead, so the event can say which", m.Type(), e.Name)
		}
		added, removed := sortedIDs(m.AddedIDs(e.Name)), sortedIDs(m.RemovedIDs(e.Name))
		switch {
		case update && len(added)+len(removed) > 0:
			out[e.GraphQL] = map[string]any{"added": added, "removed": removed}
		case !update && len(added) > 0:
			out[e.GraphQL] = added
		}
	}
	return out, nil
}

func sortedIDs(ids []ent.Value) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	slices.Sort(out)
	return out
}
