// Package events writes the organization event log: one row per change, in
// the change's own transaction, so the audit log and live subscriptions never
// see a change that rolled back, nor miss one that committed.
package events

import (
	"context"
	"fmt"
	"regexp"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/tenancy"
	"github.com/orgql/orgql/internal/viewer"
)

// Event is one change to an organization.
type Event struct {
	OrganizationID string
	Type           organizationevent.Type
	TargetType     organizationevent.TargetType
	TargetID       string
	TargetName     string
	// Change says what changed; values of keys that look secret are redacted.
	Change map[string]any
}

var secretKey = regexp.MustCompile(`(?i)password|secret|token|private.?key|credential`)

// Redacted is the value written in place of a secret.
const Redacted = "[REDACTED]"

// Record writes e with client, which must be the transaction of the change
// (database.Client(ctx, ...)); the actor, origin and user agent come from the caller in ctx.
func Record(ctx context.Context, client *ent.Client, e Event) (*ent.OrganizationEvent, error) {
	create := client.OrganizationEvent.Create().
		SetOrganizationID(e.OrganizationID).
		SetType(e.Type).
		SetTargetType(e.TargetType).
		SetTargetID(e.TargetID).
		SetTargetName(e.TargetName)
	if e.Change != nil {
		create.SetChange(redact(e.Change))
	}
	if c := viewer.FromContext(ctx); c.IsUser() {
		create.SetActorType(organizationevent.ActorTypeUSER).
			SetActorID(c.UserID).
			SetActorName(c.DisplayName).
			SetOrigin(c.Origin).
			SetUserAgent(c.UserAgent)
	} else {
		create.SetActorType(organizationevent.ActorTypeSYSTEM)
	}
	ev, err := create.Save(tenancy.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("record %s %s event: %w", e.TargetType, e.Type, err)
	}
	return ev, nil
}

func redact(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch {
		case secretKey.MatchString(k):
			out[k] = Redacted
		default:
			if nested, ok := v.(map[string]any); ok {
				v = redact(nested)
			}
			out[k] = v
		}
	}
	return out
}

// RecordUpdate writes an UPDATE event for e's target whose change is the
// fields that differ between before and after; when none does, it writes nothing.
func RecordUpdate(ctx context.Context, client *ent.Client, e Event, before, after map[string]any) error {
	change := Diff(before, after)
	if len(change) == 0 {
		return nil
	}
	e.Type, e.Change = organizationevent.TypeUPDATE, change
	_, err := Record(ctx, client, e)
	return err
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
