package credentials

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/secret"
)

// Rotated counts what a rotation did.
type Rotated struct {
	// Resealed is how many secrets were sealed again under the current key.
	Resealed int
	// Rows is how many rows were written.
	Rows int
	// Unreadable names the secrets ("table/row/field") the keyring could not
	// open (under a key it lacks, or not where they were sealed): they stay
	// as they are, and the old keys must not be dropped while any remain.
	Unreadable []string
}

// rotateBatch is how many rows a rotation reads at a time.
const rotateBatch = 100

// Rotate seals again, under keys' current key, every stored secret sealed
// under another key, in every table of sealed secrets. It is safe while
// servers serve (they hold every key the secrets are sealed under, so they
// open both the old and the new envelopes): each row is rewritten only if
// its secrets did not change since it was read (secrets_version), and a row
// changed meanwhile is read again. It is resumable: run again, it finds only
// what is left under old keys. Once it returns with nothing unreadable, the
// old keys may be dropped.
func Rotate(ctx context.Context, db *sql.DB, dialectName string, keys *secret.Keyring) (Rotated, error) {
	var total Rotated
	for _, typ := range ent.SealedTypes {
		table := ent.Tables[typ]
		after := ""
		for {
			rows, err := readBatch(ctx, db, dialectName, table, after)
			if err != nil {
				return total, err
			}
			for _, r := range rows {
				if err := rotateRow(ctx, db, dialectName, table, r, keys, &total); err != nil {
					return total, err
				}
			}
			if len(rows) < rotateBatch {
				break
			}
			after = rows[len(rows)-1].id
		}
	}
	return total, nil
}

type sealedRow struct {
	id, org string
	secrets map[string]string
	version int
}

func readBatch(ctx context.Context, db *sql.DB, dialectName, table, after string) ([]sealedRow, error) {
	q := entsql.Dialect(dialectName).
		Select("id", "organization_id", "secrets", "secrets_version").
		From(entsql.Table(table)).
		Where(entsql.GT("id", after)).
		OrderBy("id").
		Limit(rotateBatch)
	query, args := q.Query()
	rs, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rs.Close()
	var out []sealedRow
	for rs.Next() {
		var r sealedRow
		var raw []byte
		if err := rs.Scan(&r.id, &r.org, &raw, &r.version); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		if err := json.Unmarshal(raw, &r.secrets); err != nil {
			return nil, fmt.Errorf("read %s %s: %w", table, r.id, err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func rotateRow(ctx context.Context, db *sql.DB, dialectName, table string, r sealedRow, keys *secret.Keyring, total *Rotated) error {
	for attempt := 0; ; attempt++ {
		next, resealed, unreadable, err := reseal(r, table, keys)
		if err != nil {
			return err
		}
		if resealed == 0 {
			total.Unreadable = append(total.Unreadable, unreadable...)
			return nil
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return err
		}
		u := entsql.Dialect(dialectName).Update(table).
			Set("secrets", string(raw)).
			Set("secrets_version", r.version+1).
			Where(entsql.And(entsql.EQ("id", r.id), entsql.EQ("secrets_version", r.version)))
		query, args := u.Query()
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("rotate %s %s: %w", table, r.id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			total.Resealed += resealed
			total.Rows++
			total.Unreadable = append(total.Unreadable, unreadable...)
			return nil
		}
		// Written meanwhile (or deleted): read it again.
		if attempt > 10 {
			return fmt.Errorf("rotate %s %s: it keeps changing", table, r.id)
		}
		again, err := readRow(ctx, db, dialectName, table, r.id)
		if err != nil || again == nil {
			return err
		}
		r = *again
	}
}

func readRow(ctx context.Context, db *sql.DB, dialectName, table, id string) (*sealedRow, error) {
	q := entsql.Dialect(dialectName).
		Select("id", "organization_id", "secrets", "secrets_version").
		From(entsql.Table(table)).
		Where(entsql.EQ("id", id))
	query, args := q.Query()
	var r sealedRow
	var raw []byte
	err := db.QueryRowContext(ctx, query, args...).Scan(&r.id, &r.org, &raw, &r.version)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	return &r, json.Unmarshal(raw, &r.secrets)
}

// reseal returns r's secrets with every envelope under an old key sealed
// again under the current one, how many that was, and the ones that could
// not be opened (kept as they are).
func reseal(r sealedRow, table string, keys *secret.Keyring) (map[string]string, int, []string, error) {
	next := make(map[string]string, len(r.secrets))
	n := 0
	var unreadable []string
	for field, env := range r.secrets {
		if id, err := secret.KeyID(env); err == nil && id == keys.Current() {
			next[field] = env
			continue
		}
		b := secret.Binding{Organization: r.org, Table: table, Row: r.id, Field: field}
		plain, err := keys.Open(env, b)
		if err != nil {
			next[field] = env
			unreadable = append(unreadable, table+"/"+r.id+"/"+field)
			continue
		}
		if next[field], err = keys.Seal(plain, b); err != nil {
			return nil, 0, nil, err
		}
		n++
	}
	return next, n, unreadable, nil
}
