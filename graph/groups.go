package graph

import "github.com/orgql/orgql/internal/groups"

// groups is the labels and annotations groups' service: it needs only the client.
func (r *Resolver) groups() *groups.Service { return &groups.Service{Client: r.Client} }
