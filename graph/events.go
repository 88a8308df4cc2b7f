package graph

import (
	"context"
	"errors"
	"sync"

	"entgo.io/contrib/entgql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/graph/model"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/live"
)

// newestFirst is the audit log's order: the log's, newest first.
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

// organizationMemo loads each organization that events name at most once
// per unit of work: the events of an audit-log page all name one, and
// `organization` on each of them costs one statement, not one per event.
type organizationMemo struct {
	mu   sync.Mutex
	byID map[string]*memoizedOrganization
}

type memoizedOrganization struct {
	once sync.Once
	org  *ent.Organization
	err  error
}

type organizationMemoKey struct{}

// WithOrganizationMemo returns ctx in which OrganizationEvent.organization
// loads each organization once. The server gives each query one, and each
// root field of a mutation its own (a field may delete an organization); a
// subscription none, since an event read later must see a deletion.
func WithOrganizationMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, organizationMemoKey{}, &organizationMemo{byID: map[string]*memoizedOrganization{}})
}

// eventOrganization is organization id as the caller of ctx reads it; nil
// when it is gone or hidden from them.
func (r *Resolver) eventOrganization(ctx context.Context, id string) (*ent.Organization, error) {
	load := func() (*ent.Organization, error) {
		org, err := r.client(ctx).Organization.Get(ctx, id)
		if ent.IsNotFound(err) {
			return nil, nil
		}
		return org, err
	}
	m, _ := ctx.Value(organizationMemoKey{}).(*organizationMemo)
	if m == nil {
		return load()
	}
	m.mu.Lock()
	e := m.byID[id]
	if e == nil {
		e = &memoizedOrganization{}
		m.byID[id] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.org, e.err = load() })
	return e.org, e.err
}
