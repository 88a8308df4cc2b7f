#!/usr/bin/env bash
# bench/run.sh: orgql beside the floor (bench/floor: hand-written SQL) and,
# when Node is present, PostGraphile, over one PostgreSQL database: one user
# in 100 organizations of 20 members each. It checks that all return the same
# data, runs wrk on each query at 8 and 32 connections, and writes
# BENCHMARKS.md (see bench/README.md).
#
#   bench/run.sh            the full run (about 15 minutes), writes BENCHMARKS.md
#   bench/run.sh --smoke    every step, 2-second runs, 8 connections, no PostGraphile;
#                           writes bench/out/BENCHMARKS.smoke.md (CI runs this)
#   bench/run.sh --baseline=REV   also measures orgql built from git revision REV
#                           ("orgql-REV", same database: REV must have the same migrations)
#
# It runs its own PostgreSQL cluster (pg_stat_statements loaded) on port
# 55432 in a temporary directory, so it never restarts or fills the machine's own.
# Needs: Go, PostgreSQL's server binaries, jq, curl; installs wrk (Debian
# package) and PostGraphile (npm, pinned) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=0
BASELINE=
OUT=BENCHMARKS.md
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-3}
CONNS=(8 32)
for arg in "$@"; do
  case $arg in
    --smoke) SMOKE=1 ;;
    --out=*) OUT=${arg#--out=} ;;
    --baseline=*) BASELINE=${arg#--baseline=} ;;
    *) echo "usage: bench/run.sh [--smoke] [--out=FILE] [--baseline=GIT-REVISION]" >&2; exit 2 ;;
  esac
done
if [ "$SMOKE" = 1 ]; then
  DURATION=2 WARMUP=1 CONNS=(8)
  [ "$OUT" = BENCHMARKS.md ] && OUT=bench/out/BENCHMARKS.smoke.md
fi

POSTGRAPHILE_VERSION=4.14.1
WORK=$ROOT/bench/out
PGPORT=55432
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DB=bench
DBURL="postgres://postgres@127.0.0.1:$PGPORT/$DB?sslmode=disable"
ORGQL_ADDR=127.0.0.1:18080
# The load generator is one caller; its budget would be spent in a second and
# every later answer a cheap RATE_LIMITED. The peers have no rate limit
# either, so orgql is measured without it (on, it adds one statement per
# request: see bench/README.md). An environment variable, which older
# revisions measured with --baseline ignore.
export ORGQL_RATE_LIMIT=false
FLOOR_ADDR=127.0.0.1:18081
PG_ADDR=127.0.0.1:18082
BASE_ADDR=127.0.0.1:18083
mkdir -p "$WORK"
PGDATA_DIR=$(mktemp -d /tmp/orgql-bench-pg.XXXXXX) # the postgres user must reach it
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # A server gets its shutdown grace period (30 s), then is killed: a stuck
  # one must not keep the cluster, its port and the script alive.
  for _ in $(seq 1 35); do
    alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA_DIR"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }

# --- tools ---------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  (apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; })
fi
PEER=0
if [ "$SMOKE" = 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -x "$WORK/node/node_modules/.bin/postgraphile" ]; then
    log "installing PostGraphile $POSTGRAPHILE_VERSION (npm)"
    mkdir -p "$WORK/node"
    npm install --prefix "$WORK/node" --no-audit --no-fund --silent "postgraphile@$POSTGRAPHILE_VERSION" >&2
  fi
  PEER=1
fi

log "building orgql and the floor"
go build -o "$WORK/orgql" ./cmd/orgql
go build -o "$WORK/floor" ./bench/floor
if [ -n "$BASELINE" ]; then
  rm -rf "$WORK/baseline" && mkdir -p "$WORK/baseline"
  git archive "$BASELINE" | tar -x -C "$WORK/baseline"
  (cd "$WORK/baseline" && go build -o "$WORK/orgql-baseline" ./cmd/orgql)
  rm -rf "$WORK/baseline"
fi

# --- PostgreSQL: a private cluster ----------------------------------------
chown postgres "$PGDATA_DIR"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust >/dev/null
cat >>"$PGDATA_DIR/postgresql.conf" <<EOF
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA_DIR'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
max_connections = 200
shared_buffers = 256MB
EOF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/log" -w start >/dev/null
psql() { command psql -h 127.0.0.1 -p $PGPORT -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "create database $DB"
psql -d $DB -c "create extension pg_stat_statements"

# --- orgql, seeded through its API and bulk SQL ----------------------------
KEY=$("$WORK/orgql" secrets new-key bench)
start_orgql() { # start_orgql BINARY ADDR [FLAGS]: sets STARTED_PID
  local bin=$1 addr=$2; shift 2
  ORGQL_SECRET_KEYS=$KEY "$bin" serve --database-url "$DBURL" --addr "$addr" --migrate "$@" \
    --log-level warn >"$bin.log" 2>&1 &
  STARTED_PID=$!
  PIDS+=($STARTED_PID)
  for _ in $(seq 1 100); do curl -sf "http://$addr/healthz" >/dev/null && return; sleep 0.1; done
  echo "orgql did not start:" >&2; cat "$bin.log" >&2; exit 1
}
gql() { # gql QUERY [VARIABLES]: POST to orgql as the bench user, fail on errors
  local body out vars=${2:-'{}'}
  body=$(jq -cn --arg q "$1" --argjson v "$vars" '{query: $q, variables: $v}')
  out=$(curl -sf "http://$ORGQL_ADDR/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $SESSION" -d "$body")
  if jq -e '.errors' <<<"$out" >/dev/null; then echo "orgql: $out" >&2; exit 1; fi
  echo "$out"
}

log "seeding: one user in 100 organizations of 20 members"
start_orgql "$WORK/orgql" $ORGQL_ADDR --dev
ORGQL_PID=$STARTED_PID
SESSION=$(curl -sf "http://$ORGQL_ADDR/auth/dev/login" -d '{"login":"bench"}' | jq -r .token)
ME=$(gql '{ viewer { user { id } } }' | jq -r .data.viewer.user.id)
for i in $(seq -w 1 100); do
  gql 'mutation($n: String!) { createOrganization(input: {name: $n}) { id } }' "{\"n\":\"bench-org-$i\"}" >/dev/null
done
# 19 more members in each organization, as VIEWER, in bulk.
psql -d $DB <<'EOF'
insert into users (id, created_at, updated_at, provider, provider_user_id, login, name, email)
select 'usr_' || lpad(i::text, 26, '0'), now(), now(), 'DEV', 'member-' || i, 'member-' || i, 'Member ' || i,
  'member-' || i || '@dev.orgql.local'
from generate_series(1, 1900) i;
insert into memberships (id, created_at, updated_at, user_id, role_id, organization_id)
select 'mem_' || lpad((o.n * 100 + k)::text, 26, '0'), now(), now(),
  'usr_' || lpad(((o.n - 1) * 19 + k)::text, 26, '0'), r.id, o.id
from (select id, row_number() over (order by id) n from organizations) o
join roles r on r.organization_id = o.id and r.kind = 'VIEWER'
cross join generate_series(1, 19) k;
EOF
ORG=$(gql '{ viewer { organizations(first: 1) { edges { node { id } } } } }' | jq -r '.data.viewer.organizations.edges[0].node.id')
ORGS=$(gql '{ viewer { organizations(first: 100) { edges { node { id } } } } }' | jq -r '[.data.viewer.organizations.edges[].node.id] | join(",")')
# The settings page: 20 rows of each settings connection in the first
# organization, created by its members in turn.
psql -d $DB -v org="$ORG" <<'EOF'
create temp table creators as
  select user_id as id, row_number() over (order by id) - 1 as n from memberships where organization_id = :'org';
create temp table rows as
  select i, (select id from creators where n = i % 20) as creator from generate_series(1, 20) i;
insert into api_tokens (id, created_at, name, name_key, token_hash, token_hint, creator_id, role_id, organization_id)
select 'tok_' || lpad(i::text, 26, '0'), now(), 'token-' || i, 'token-' || i, md5('token' || i), 'ab' || lpad(i::text, 2, '0'),
  creator, (select id from roles where organization_id = :'org' and kind = 'VIEWER'), :'org' from rows;
insert into container_registries (id, created_at, updated_at, name, name_key, secrets, kind, url, config, creator_id, organization_id)
select 'crg_' || lpad(i::text, 26, '0'), now(), now(), 'registry-' || i, 'registry-' || i, '{}', 'GENERIC_CR',
  'https://registry.example.com', '{}', creator, :'org' from rows;
insert into git_tokens (id, created_at, updated_at, name, name_key, secrets, provider, creator_id, organization_id)
select 'gtk_' || lpad(i::text, 26, '0'), now(), now(), 'git-' || i, 'git-' || i, '{}', 'GITHUB', creator, :'org' from rows;
insert into helm_repositories (id, created_at, updated_at, name, name_key, secrets, kind, url, config, creator_id, organization_id)
select 'hlm_' || lpad(i::text, 26, '0'), now(), now(), 'helm-' || i, 'helm-' || i, '{}', 'HTTPS',
  'https://charts.example.com', '{}', creator, :'org' from rows;
insert into labels_groups (id, created_at, updated_at, name, name_key, labels, creator_id, organization_id)
select 'lbg_' || lpad(i::text, 26, '0'), now(), now(), 'labels-' || i, 'labels-' || i,
  '[{"key": "team", "value": "web"}]', creator, :'org' from rows;
insert into annotations_groups (id, created_at, updated_at, name, name_key, annotations, scopes, creator_id, organization_id)
select 'ang_' || lpad(i::text, 26, '0'), now(), now(), 'annotations-' || i, 'annotations-' || i,
  '[{"key": "owner", "value": "web"}]', '["PODS"]', creator, :'org' from rows;
analyze;
EOF
# Read back through the API: 100 organizations of 20 members, 20 rows per settings connection.
gql "$(cat bench/queries/big.graphql)" | jq -e '.data.viewer.organizations.edges | length == 100 and all(.node.members.edges | length == 20)' >/dev/null
gql "$(cat bench/queries/settings.graphql)" "{\"id\":\"$ORG\"}" | jq -e '[.data.organization[] | .totalCount == 20 and (.edges | length == 20)] | all' >/dev/null
# Measure the production configuration: no --dev.
kill $ORGQL_PID; wait $ORGQL_PID 2>/dev/null || true
start_orgql "$WORK/orgql" $ORGQL_ADDR
ORGQL_PID=$STARTED_PID
if [ -n "$BASELINE" ]; then
  start_orgql "$WORK/orgql-baseline" $BASE_ADDR
  BASE_PID=$STARTED_PID
fi

"$WORK/floor" -addr $FLOOR_ADDR -database-url "$DBURL" 2>"$WORK/floor.log" &
FLOOR_PID=$!; PIDS+=($FLOOR_PID)
if [ "$PEER" = 1 ]; then
  "$WORK/node/node_modules/.bin/postgraphile" -c "$DBURL" -s public -n 127.0.0.1 -p "${PG_ADDR#*:}" \
    --disable-query-log >"$WORK/postgraphile.log" 2>&1 &
  PEER_PID=$!; PIDS+=($PEER_PID)
fi
for _ in $(seq 1 300); do
  curl -s -o /dev/null -X POST "http://$FLOOR_ADDR/small" && { [ "$PEER" = 0 ] || curl -s -o /dev/null "http://$PG_ADDR/graphql" -d '{}' -H 'Content-Type: application/json'; } && break
  sleep 0.1
done

# --- the cases: name, server, path, body ------------------------------------
body() { local vars=${2:-'{}'}; jq -cn --arg q "$(cat "bench/queries/$1.graphql")" --argjson v "$vars" '{query: $q, variables: $v}'; }
mkdir -p "$WORK/bodies"
body big >"$WORK/bodies/big"
body small >"$WORK/bodies/small"
body settings "{\"id\":\"$ORG\"}" >"$WORK/bodies/settings"
body update '{"id":"__ORG__","d":"bench-__N__"}' >"$WORK/bodies/update"
body postgraphile-big "{\"me\":\"$ME\"}" >"$WORK/bodies/postgraphile-big"
body postgraphile-small "{\"me\":\"$ME\"}" >"$WORK/bodies/postgraphile-small"
echo '{}' >"$WORK/bodies/empty"

post() { # post ADDR/PATH BODY: the answer, or exit on a status other than 200
  local status
  status=$(curl -s -o "$WORK/answer" -w '%{http_code}' -X POST "http://$1" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SESSION" --data-binary "@$WORK/bodies/$2")
  if [ "$status" != 200 ]; then echo "POST $1: $status: $(head -c 500 "$WORK/answer")" >&2; exit 1; fi
  cat "$WORK/answer"
}

log "checking that every server returns the same data"
norm_orgs='[.[] | {id, name} + (if .members then {members: [.members[] | {role, user}]} else {} end)]'
check() { # check NAME EXPECTED ACTUAL
  if ! diff -q "$2" "$3" >/dev/null; then echo "$1 differs:" >&2; diff "$2" "$3" | head -20 >&2; exit 1; fi
}
ours_big='[.data.viewer.organizations.edges[].node | {id, name, members: [.members.edges[]?.node | {role: .role.name, user: .user.login}]}]'
ours_small='[.data.viewer.organizations.edges[].node | {id, name}]'
post $ORGQL_ADDR/graphql big | jq -S "$ours_big" >"$WORK/check.big.orgql"
post $FLOOR_ADDR/big empty | jq -S "$ours_big" >"$WORK/check.big.floor"
check "big query (floor)" "$WORK/check.big.orgql" "$WORK/check.big.floor"
post $ORGQL_ADDR/graphql small | jq -S "$ours_small" >"$WORK/check.small.orgql"
post $FLOOR_ADDR/small empty | jq -S "$ours_small" >"$WORK/check.small.floor"
check "small query (floor)" "$WORK/check.small.orgql" "$WORK/check.small.floor"
post $ORGQL_ADDR/graphql settings | jq -S . >"$WORK/check.settings.orgql"
post "$FLOOR_ADDR/settings?org=$ORG" empty | jq -S . >"$WORK/check.settings.floor"
check "settings page (floor)" "$WORK/check.settings.orgql" "$WORK/check.settings.floor"
sed "s/__ORG__/$ORG/; s/__N__/check/" "$WORK/bodies/update" >"$WORK/bodies/update-check"
post $ORGQL_ADDR/graphql update-check | jq -S . >"$WORK/check.update.orgql"
post "$FLOOR_ADDR/update?org=$ORG&d=bench-check" empty | jq -S . >"$WORK/check.update.floor"
check "updateOrganization (floor)" "$WORK/check.update.orgql" "$WORK/check.update.floor"
if [ "$PEER" = 1 ]; then
  peer_big='[.data.userById.membershipsByUserId.nodes[].organizationByOrganizationId | {id, name, members: [.membershipsByOrganizationId.nodes[] | {role: .roleByRoleId.name, user: .userByUserId.login}]}]'
  peer_small='[.data.userById.membershipsByUserId.nodes[].organizationByOrganizationId | {id, name}]'
  post $PG_ADDR/graphql postgraphile-big | jq -S "$peer_big" >"$WORK/check.big.postgraphile"
  check "big query (PostGraphile)" "$WORK/check.big.orgql" "$WORK/check.big.postgraphile"
  post $PG_ADDR/graphql postgraphile-small | jq -S "$peer_small" >"$WORK/check.small.postgraphile"
  check "small query (PostGraphile)" "$WORK/check.small.orgql" "$WORK/check.small.postgraphile"
fi

# --- measuring ----------------------------------------------------------------
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
statements() {
  psql -d $DB -At -c "select coalesce(sum(calls), 0) from pg_stat_statements s join pg_database d on d.oid = s.dbid
    where d.datname = '$DB' and s.query not like '%pg_stat_statements%'"
}
RESULTS=$WORK/results.tsv
: >"$RESULTS"
# run QUERY SERVER PID PATH BODY CONNS [vary]
run() {
  local query=$1 server=$2 pid=$3 path=$4 bodyfile=$5 conns=$6 vary=${7:-} out
  local env=(BODY_FILE="$WORK/bodies/$bodyfile" TARGET_PATH="$path" SESSION="$SESSION" ORGS="$ORGS")
  [ -n "$vary" ] && env+=(VARY=1)
  env "${env[@]}" wrk -t1 -c"$conns" -d"${WARMUP}s" --timeout 30s -s bench/wrk.lua "http://${server_addr[$server]}" >/dev/null
  echo 5 >"/proc/$pid/clear_refs" # resets the peak RSS
  psql -d $DB -At -c "select pg_stat_statements_reset()" >/dev/null
  local load cpu0 cpu1
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(cpu_ticks "$pid")
  out=$(env "${env[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 30s --latency -s bench/wrk.lua "http://${server_addr[$server]}" | grep '^RESULT')
  cpu1=$(cpu_ticks "$pid")
  local stmts hwm
  stmts=$(statements)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  # shellcheck disable=SC2086
  eval "local ${out#RESULT }"
  if [ "$non2xx" != 0 ] || [ "$errors" != 0 ]; then
    echo "$query on $server: $non2xx non-2xx answers, $errors socket errors" >&2; exit 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$query" "$server" "$conns" \
    "$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')" \
    "$(awk -v v="$p50_us" 'BEGIN {printf "%.1f", v / 1000}')" "$(awk -v v="$p99_us" 'BEGIN {printf "%.1f", v / 1000}')" \
    "$(awk -v s="$stmts" -v r="$requests" 'BEGIN {printf "%.1f", s / r}')" \
    "$(awk -v c=$((cpu1 - cpu0)) -v t="$TICKS" -v r="$requests" 'BEGIN {printf "%.2f", c / t * 1000 / r}')" \
    "$(awk -v k="$hwm" 'BEGIN {printf "%.0f", k / 1024}')" "$load" "$requests" | tee -a "$RESULTS" >&2
}
declare -A server_addr=([orgql]=$ORGQL_ADDR [floor]=$FLOOR_ADDR [postgraphile]=$PG_ADDR [orgql-$BASELINE]=$BASE_ADDR)
ours() { # ours QUERY PATH BODY CONNS [vary]: orgql, and the baseline when there is one
  run "$1" orgql $ORGQL_PID "${@:2}"
  if [ -n "$BASELINE" ]; then run "$1" "orgql-$BASELINE" $BASE_PID "${@:2}"; fi
}
log "measuring: ${DURATION}s per run after ${WARMUP}s of warm-up (query, server, connections, req/s, p50 ms, p99 ms, statements, CPU ms, peak MiB, load, requests)"
for c in "${CONNS[@]}"; do
  ours big /graphql big "$c"
  run big floor $FLOOR_PID /big empty "$c"
  [ "$PEER" = 1 ] && run big postgraphile $PEER_PID /graphql postgraphile-big "$c"
  ours small /graphql small "$c"
  run small floor $FLOOR_PID /small empty "$c"
  [ "$PEER" = 1 ] && run small postgraphile $PEER_PID /graphql postgraphile-small "$c"
  ours settings /graphql settings "$c"
  run settings floor $FLOOR_PID "/settings?org=$ORG" empty "$c"
  ours updateOrganization /graphql update "$c" vary
  run updateOrganization floor $FLOOR_PID "/update?org=__ORG__&d=bench-__N__" empty "$c" vary
done

# --- BENCHMARKS.md --------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
BENCH_MODE=$([ "$SMOKE" = 1 ] && echo "smoke (${DURATION}s runs: figures are not meaningful)" || echo "full (${DURATION}s runs after ${WARMUP}s of warm-up)") \
BENCH_BASELINE=$BASELINE BENCH_COMMIT=$(git rev-parse --short HEAD)$([ -n "$(git status --porcelain)" ] && echo " (with uncommitted changes)") \
BENCH_PEER=$([ "$PEER" = 1 ] && echo "PostGraphile $POSTGRAPHILE_VERSION, Node $(node --version)" || echo "not run") \
BENCH_PG=$(psql -d $DB -At -c 'show server_version') \
BENCH_WRK=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2) \
  go run ./bench/report <"$RESULTS" >"$OUT"
log "wrote $OUT"
