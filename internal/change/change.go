// Package change is the one skeleton of creating, updating and deleting a
// row of an organization-owned type: authorize (by the permission table),
// hold the plan limit, save, map constraint errors to the client's words,
// and record the organization event, all in the caller's transaction. A
// type's domain code builds the ent mutation and hands it over; what is
// particular to the type is its Kind.
package change

import (
	"context"
	"errors"
	"fmt"
	"strings"

	entgo "entgo.io/ent"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/ent/organizationevent"
	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/billing"
	"github.com/orgql/orgql/internal/database"
	"github.com/orgql/orgql/internal/events"
	"github.com/orgql/orgql/internal/limits"
	"github.com/orgql/orgql/internal/tenancy"
)

// Kind describes an organization-owned type to the skeleton.
type Kind[T any] struct {
	// Type is the ent type name, the type's key in the permission table.
	Type string
	// Target is the target type of the type's events.
	Target organizationevent.TargetType
	// Noun names a row in messages: "project".
	Noun string
	// Ref tells a row's ID, organization and name.
	Ref func(T) Ref
	// Usage is what one more row counts toward the plan's limits; zero when
	// the plan does not limit the type.
	Usage billing.Usage
}

// Ref is what events and messages say of a row.
type Ref struct{ ID, OrganizationID, Name string }

// Saver saves an ent create or update builder.
type Saver[T any] interface {
	Save(context.Context) (T, error)
}

// Execer runs an ent delete builder.
type Execer interface {
	Exec(context.Context) error
}

// Plans tells an organization's plan; nil when the type has no limit.
type Plans = billing.Catalog

// Create saves the row that create builds (m is create.Mutation()) in the
// organization its organization_id names, and records a CREATE event. path
// is where the input's fields sit ("input"), for errors.
func Create[T any](ctx context.Context, k Kind[T], plans Plans, path string, create Saver[T], m ent.Mutation) (T, error) {
	var zero T
	client := clientOf(m)
	v, _ := m.Field("organization_id")
	orgID, _ := v.(string)
	limited := k.Usage != (billing.Usage{})
	var org *ent.Organization
	if limited {
		// The lock makes the insert and the limit check one step per organization.
		var err error
		if org, err = database.LockOrganization(ctx, client, orgID); err != nil {
			return zero, err
		}
	}
	if err := tenancy.AuthorizeWrite(ctx, client, k.Type, orgID); err != nil {
		return zero, err
	}
	row, err := create.Save(ctx)
	if err != nil {
		return zero, k.saveError(err, path, m)
	}
	if limited {
		if err := limits.CheckAdded(ctx, client, plans.Plan(org.Plan), orgID, k.Usage); err != nil {
			return zero, err
		}
	}
	return row, k.record(ctx, client, organizationevent.TypeCREATE, k.Ref(row), m)
}

// Update saves the change update makes to row (update is
// client.X.UpdateOne(row), m its Mutation()) and records an UPDATE event
// with what changed; an update that changes nothing records nothing.
func Update[T any](ctx context.Context, k Kind[T], row T, path string, update Saver[T], m ent.Mutation) (T, error) {
	var zero T
	client := clientOf(m)
	if err := tenancy.AuthorizeWrite(ctx, client, k.Type, k.Ref(row).OrganizationID); err != nil {
		return zero, err
	}
	updated, err := update.Save(ctx)
	if err != nil {
		return zero, k.saveError(err, path, m)
	}
	return updated, k.record(ctx, client, organizationevent.TypeUPDATE, k.Ref(updated), m)
}

// Delete deletes row with del (client.X.DeleteOne(row)) and records a DELETE
// event. It returns the deleted row's ID.
func Delete[T any](ctx context.Context, client *ent.Client, k Kind[T], row T, del Execer) (string, error) {
	ref := k.Ref(row)
	if err := tenancy.AuthorizeWrite(ctx, client, k.Type, ref.OrganizationID); err != nil {
		return "", err
	}
	if err := del.Exec(ctx); err != nil {
		if ent.IsConstraintError(err) {
			return "", apperr.Conflict("the %s %q is still in use", k.Noun, ref.Name)
		}
		return "", fmt.Errorf("delete %s: %w", k.Noun, err)
	}
	err := events.Record(ctx, events.Event{
		OrganizationID: ref.OrganizationID, Type: organizationevent.TypeDELETE, TargetType: k.Target,
		TargetID: ref.ID, TargetName: ref.Name,
	})
	return ref.ID, err
}

func (k Kind[T]) record(ctx context.Context, client *ent.Client, typ organizationevent.Type, ref Ref, m ent.Mutation) error {
	change, err := events.Changes(ctx, m)
	if err != nil {
		return err
	}
	if typ == organizationevent.TypeUPDATE && len(change) == 0 {
		return nil
	}
	err = events.Record(ctx, events.Event{
		OrganizationID: ref.OrganizationID, Type: typ, TargetType: k.Target,
		TargetID: ref.ID, TargetName: ref.Name, Change: change,
	})
	return err
}

// saveError turns a failed save into the client's error: a unique
// constraint is the name being taken (the only unique key a client sets on
// organization-owned types), an ent validation error names the input field.
func (k Kind[T]) saveError(err error, path string, m ent.Mutation) error {
	if ent.IsConstraintError(err) {
		name, _ := m.Field("name")
		e := apperr.Conflict("a %s named %q already exists in this organization", k.Noun, name)
		e.(*apperr.Error).Field = join(path, "name")
		return e
	}
	if v, ok := AsValidation(err); ok {
		return InputError(path, m.Type(), v)
	}
	op := "update"
	if m.Op().Is(entgo.OpCreate) {
		op = "create"
	}
	return fmt.Errorf("%s %s: %w", op, k.Noun, err)
}

// InputError is the BAD_USER_INPUT of an ent validation error on a field of
// ent type typ whose input sits under path.
func InputError(path, typ string, v *ent.ValidationError) error {
	field := join(path, graphQLName(typ, v.Name))
	return apperr.BadInput(field, "%s is not valid: %s", field, strings.TrimPrefix(rule(v).Error(), "value "))
}

// rule is the error of the field's own rule: ent wraps it in text naming
// the ent type and column, which clients must not read.
func rule(v *ent.ValidationError) error {
	err := v.Unwrap()
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(err) {
		err = inner
	}
	return err
}

// AsValidation returns the ent validation error in err's chain, if any.
func AsValidation(err error) (*ent.ValidationError, bool) {
	var v *ent.ValidationError
	return v, errors.As(err, &v)
}

// graphQLName is the GraphQL name of ent field name of type typ.
func graphQLName(typ, name string) string {
	for _, f := range ent.Fields[typ] {
		if f.Name == name {
			return f.GraphQL
		}
	}
	return name
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func clientOf(m ent.Mutation) *ent.Client {
	return m.(interface{ Client() *ent.Client }).Client()
}
