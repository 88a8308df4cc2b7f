package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organization"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/ent/predicate"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/tenancy"
)

// PruneEvents is the reason the pruner deletes events: retention is the
// plan's, not the caller's.
const PruneEvents tenancy.Reason = "prune-events"

// pruneLock is the PostgreSQL advisory lock key the pruner holds while it
// runs, so that of several instances one prunes at a time.
const pruneLock = 0x6f72_6771_6c65_7674 // "orgqlevt"

// Pruner deletes the events older than their organization's plan keeps
// them (the plan's auditLogRetentionDays); the events of a deleted
// organization are kept as long as the longest retention of the catalog.
type Pruner struct {
	Client  *ent.Client
	Dialect string
	Plans   billing.Catalog
	Logger  *slog.Logger
	Now     func() time.Time
}

// Run prunes every interval until ctx is done; interval 0 never prunes.
func (p *Pruner) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := p.Prune(ctx); err != nil && ctx.Err() == nil {
			p.Logger.Error("prune the audit log", "error", err)
		} else if n > 0 {
			p.Logger.Info("pruned the audit log", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pruneBatch is the most events one transaction of the pruner deletes: on
// PostgreSQL a running transaction holds back every instance's live events
// (docs/architecture.md "Commit order"), so the pruner's are short.
const pruneBatch = 1000

// Prune deletes the expired events once and returns how many, pruneBatch
// at a time. On PostgreSQL each batch runs in a transaction of its own
// under an advisory lock, and does nothing when another instance holds it.
func (p *Pruner) Prune(ctx context.Context) (int, error) {
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	var expired []predicate.OrganizationEvent
	longest := 0
	var codes []any
	for _, plan := range p.Plans {
		days := plan.Limits.AuditLogRetentionDays
		longest = max(longest, days)
		codes = append(codes, string(plan.Code))
		expired = append(expired, organizationevent.And(organizationevent.CreatedAtLT(now.AddDate(0, 0, -days)),
			orgs(entsql.EQ(organization.FieldPlan, string(plan.Code)), false)))
	}
	// Organizations that are gone, or on a plan no longer in the catalog.
	expired = append(expired, organizationevent.And(organizationevent.CreatedAtLT(now.AddDate(0, 0, -longest)),
		orgs(entsql.In(organization.FieldPlan, codes...), true)))
	total := 0
	for {
		n, err := p.pruneBatch(ctx, organizationevent.Or(expired...))
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// pruneBatch deletes at most pruneBatch of the events expired keeps, in a
// transaction of its own, and returns how many.
func (p *Pruner) pruneBatch(ctx context.Context, expired predicate.OrganizationEvent) (int, error) {
	sys := tenancy.AsSystem(ctx, PruneEvents)
	tx, err := p.Client.Tx(sys)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if p.Dialect == dialect.Postgres {
		rows, err := tx.QueryContext(sys, "SELECT pg_try_advisory_xact_lock($1)", int64(pruneLock))
		if err != nil {
			return 0, fmt.Errorf("take the prune lock: %w", err)
		}
		var got bool
		if rows.Next() {
			err = rows.Scan(&got)
		}
		rows.Close()
		if err != nil || !got {
			return 0, err
		}
	}
	ids, err := tx.Client().OrganizationEvent.Query().Where(expired).Limit(pruneBatch).IDs(sys)
	if err != nil {
		return 0, fmt.Errorf("find expired events: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := tx.Client().OrganizationEvent.Delete().Where(organizationevent.IDIn(ids...)).Exec(sys)
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

// orgs keeps the events whose organization matches p (not: does not exist or does not match).
func orgs(p *entsql.Predicate, not bool) predicate.OrganizationEvent {
	return func(s *entsql.Selector) {
		sub := entsql.Select(organization.FieldID).From(entsql.Table(organization.Table)).Where(p)
		if not {
			s.Where(entsql.NotIn(s.C(organizationevent.FieldOrganizationID), sub))
		} else {
			s.Where(entsql.In(s.C(organizationevent.FieldOrganizationID), sub))
		}
	}
}
