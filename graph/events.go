package graph

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/graph/model"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/live"
)

// newestFirst is the audit log's order: by commit, newest first.
var newestFirst = &ent.OrganizationEventOrder{Direction: entgql.OrderDirectionDesc, Field: ent.OrganizationEventOrderFieldSequence}

func actorOf(ev *ent.OrganizationEvent) *model.Actor {
	a := &model.Actor{DisplayName: ev.ActorName}
	switch ev.ActorType {
	case organizationevent.ActorTypeUSER:
		a.Type = model.ActorTypeUser
	case organizationevent.ActorTypeAPI_TOKEN:
		a.Type = model.ActorTypeAPIToken
	default:
		a.Type = model.ActorTypeSystem
	}
	if ev.ActorID != "" {
		a.ID = &ev.ActorID
	}
	return a
}

// sequenceOf reads the sequence of an event's cursor (OrganizationEvent.cursor).
func sequenceOf(c *entgql.Cursor[string]) (int64, error) {
	bad := apperr.BadInput("after", "after is not the cursor of an organization event")
	if id.Prefix(c.ID) != id.OrganizationEvent {
		return 0, bad
	}
	switch v := c.Value.(type) {
	case int64:
		return v, nil
	case int8:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case uint8:
		return int64(v), nil
	case uint16:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	}
	return 0, bad
}

func liveSession(ctx context.Context) (*live.Session, error) {
	if s := live.SessionFrom(ctx); s != nil {
		return s, nil
	}
	return nil, errors.New("subscription without a live session")
}
