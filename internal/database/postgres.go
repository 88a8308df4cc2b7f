package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/url"
	"reflect"
	"strings"

	"github.com/lib/pq"
)

// openPostgres opens a pool of lib/pq connections in the driver's
// single-round-trip mode (binary_parameters=yes): a statement with arguments
// is parsed, bound and run in one exchange with the server, where lib/pq's
// default takes two (describe, then execute). A URL that sets
// binary_parameters itself keeps its choice.
//
// The mode sends []byte arguments in binary form, which the server reads as
// the column type's binary encoding: right for bytea, wrong for the jsonb
// and text columns ent passes []byte to (a jsonb value starts with a
// version byte in binary). No column here is bytea, so every []byte
// argument goes as text, as it went before (see textArgs).
func openPostgres(dsn string) (*sql.DB, error) {
	c, err := pq.NewConnector(withBinaryParameters(dsn))
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(textArgsConnector{c}), nil
}

// withBinaryParameters adds binary_parameters=yes to a postgres:// URL that
// does not set it.
func withBinaryParameters(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Query().Has("binary_parameters") {
		return dsn // pq reports a malformed URL
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "binary_parameters=yes"
}

type textArgsConnector struct{ *pq.Connector }

func (c textArgsConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return textArgs{conn.(pqConn)}, nil
}

// pqConn is what lib/pq's connections implement and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// textArgs is a lib/pq connection that sends []byte arguments (and
// driver.Valuers' values) as text.
type textArgs struct{ pqConn }

func (c textArgs) CheckNamedValue(nv *driver.NamedValue) error {
	if v, ok := nv.Value.(driver.Valuer); ok {
		converted, err := driver.DefaultParameterConverter.ConvertValue(v)
		if err != nil {
			return err
		}
		nv.Value = converted
	}
	// []byte and the types made of it (json.RawMessage, which ent passes).
	if v := reflect.ValueOf(nv.Value); v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 && !v.IsNil() {
		nv.Value = string(v.Bytes())
	}
	return c.pqConn.CheckNamedValue(nv)
}
