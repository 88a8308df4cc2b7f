// Command floor is the benchmark's floor: the answers of bench/'s GraphQL
// documents written by hand, one SQL statement per read (the session check
// included) and one transaction of an UPDATE and the event's INSERT per
// write, with database/sql and lib/pq. It answers the same JSON as orgql
// (bench/run.sh compares them), and nothing else: no parsing, no
// validation, no permissions beyond membership.
//
//	floor -addr 127.0.0.1:18081 -database-url postgres://...
//
// POST /big, /small, /settings and /update take the session in
// Authorization: Bearer, like orgql; /settings and /update take the
// organization's ID in ?org=, /update its new description in ?d=.
package main

import (
	"database/sql"
	"flag"
	"log"
	"net/http"
	"strings"

	_ "github.com/lib/pq"

	"github.com/orgql/orgql/internal/id"
	"github.com/orgql/orgql/internal/token"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "address to listen on")
	url := flag.String("database-url", "", "PostgreSQL URL")
	flag.Parse()
	db, err := sql.Open("postgres", *url)
	if err != nil {
		log.Fatal(err)
	}
	// The same pool as orgql's (internal/database).
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.Ping(); err != nil {
		log.Fatal(err)
	}
	f := &floor{db: db}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /big", f.read(bigSQL, false))
	mux.HandleFunc("POST /small", f.read(smallSQL, false))
	mux.HandleFunc("POST /settings", f.read(settingsSQL, true))
	mux.HandleFunc("POST /update", f.update)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

type floor struct{ db *sql.DB }

// session is the hash of the request's session token, as orgql stores it.
func session(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return token.Hash(tok)
}

// read answers the JSON document one statement builds.
func (f *floor) read(query string, withOrg bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		args := []any{session(r)}
		if withOrg {
			args = append(args, r.URL.Query().Get("org"))
		}
		var body []byte
		if err := f.db.QueryRowContext(r.Context(), query, args...).Scan(&body); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// update changes the organization's description and records its event in
// one transaction, if the session's user is its OWNER or an ADMIN.
func (f *floor) update(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer tx.Rollback() //nolint:errcheck
	var org, desc, old, userID, login string
	err = tx.QueryRowContext(ctx, updateSQL, session(r), q.Get("org"), q.Get("d")).Scan(&org, &desc, &old, &userID, &login)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, err = tx.ExecContext(ctx, eventSQL, id.New(id.OrganizationEvent), org, userID, login, old, desc)
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	b.WriteString(`{"data":{"updateOrganization":{"id":`)
	b.WriteString(jsonString(org))
	b.WriteString(`,"description":`)
	b.WriteString(jsonString(desc))
	b.WriteString(`}}}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(b.String()))
}

// jsonString quotes s; bench descriptions are letters, digits and dashes.
func jsonString(s string) string { return `"` + s + `"` }

// me is the session's user: a valid, unrevoked, unexpired session.
const me = `with me as (select s.user_id from sessions s where s.token_hash = $1
  and s.revoked_at is null and (s.expires_at is null or s.expires_at > now()))`

// myOrgs are the organizations of the session's user, oldest first (IDs sort by creation).
const myOrgs = `select o.* from organizations o join memberships m on m.organization_id = o.id
  join me on me.user_id = m.user_id order by o.id`

const bigSQL = me + `
select json_build_object('data', json_build_object('viewer', json_build_object('organizations',
  json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
    'id', o.id, 'name', o.name,
    'members', json_build_object('edges', (
      select coalesce(json_agg(json_build_object('node', json_build_object(
        'role', json_build_object('name', r.name), 'user', json_build_object('login', u.login))) order by ms.id), '[]')
      from (select * from memberships ms where ms.organization_id = o.id order by ms.id limit 20) ms
      join roles r on r.id = ms.role_id join users u on u.id = ms.user_id))))
  order by o.id), '[]')))))
from (` + myOrgs + ` limit 100) o`

const smallSQL = me + `
select json_build_object('data', json_build_object('viewer', json_build_object('organizations',
  json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
    'id', o.id, 'name', o.name)) order by o.id), '[]')))))
from (` + myOrgs + ` limit 10) o`

// settingsConnection is one connection of the settings page: its total
// count and its first 50 rows by ID, each with its creator's login.
func settingsConnection(name, table, fields string) string {
	return `'` + name + `', (select json_build_object(
    'totalCount', (select count(*) from ` + table + ` where organization_id = o.id),
    'edges', coalesce(json_agg(json_build_object('node', json_build_object(` + fields + `,
      'creator', case when c.id is null then null else json_build_object('login', c.login) end)) order by t.id), '[]'))
  from (select * from ` + table + ` where organization_id = o.id order by id limit 50) t
  left join users c on c.id = t.creator_id)`
}

const secretsSet = `'secretsSet', (select coalesce(json_agg(k order by k), '[]') from jsonb_object_keys(t.secrets) k)`

var settingsSQL = me + `
select json_build_object('data', json_build_object('organization', json_build_object(` +
	strings.Join([]string{
		settingsConnection("apiTokens", "api_tokens",
			`'id', t.id, 'name', t.name, 'tokenHint', t.token_hint, 'role', (select json_build_object('name', r.name) from roles r where r.id = t.role_id)`),
		settingsConnection("containerRegistries", "container_registries",
			`'id', t.id, 'name', t.name, 'kind', t.kind, 'url', t.url, `+secretsSet),
		settingsConnection("gitTokens", "git_tokens",
			`'id', t.id, 'name', t.name, 'provider', t.provider, 'expiresAt', t.expires_at`),
		settingsConnection("helmRepositories", "helm_repositories",
			`'id', t.id, 'name', t.name, 'kind', t.kind, 'url', t.url, `+secretsSet),
		settingsConnection("labelsGroups", "labels_groups",
			`'id', t.id, 'name', t.name, 'labels', (select coalesce(json_agg(json_build_object('key', l->>'key', 'value', l->>'value')), '[]') from jsonb_array_elements(t.labels) l)`),
		settingsConnection("annotationsGroups", "annotations_groups",
			`'id', t.id, 'name', t.name, 'annotations', (select coalesce(json_agg(json_build_object('key', a->>'key', 'value', a->>'value')), '[]') from jsonb_array_elements(t.annotations) a), 'scopes', t.scopes`),
	}, ",\n") + `)))
from organizations o join memberships m on m.organization_id = o.id join me on me.user_id = m.user_id
where o.id = $2`

const updateSQL = me + `, allowed as (select m.user_id, u.login from memberships m join me on me.user_id = m.user_id
  join roles r on r.id = m.role_id join users u on u.id = m.user_id
  where m.organization_id = $2::text and r.kind in ('OWNER', 'ADMIN')),
old as (select o.description from organizations o where o.id = $2::text)
update organizations o set description = $3::text, updated_at = now() from allowed, old
where o.id = $2::text returning o.id, o.description, old.description, allowed.user_id, allowed.login`

const eventSQL = `insert into organization_events (id, organization_id, type, target_type, target_id, target_name,
  change, actor_type, actor_id, actor_name, created_at)
select $1::text, $2::text, 'UPDATE', 'ORGANIZATION', $2::text, o.name,
  jsonb_build_object('description', jsonb_build_object('from', $5::text, 'to', $6::text)), 'USER', $3::text, $4, now()
from organizations o where o.id = $2::text`
