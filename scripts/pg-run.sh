#!/usr/bin/env bash
# pg-run.sh — run SQL against a throwaway PostgreSQL 15 with the Supabase stubs.
#
# Usage: scripts/pg-run.sh FILE_OR_DIR...
#
# Each argument is one item:
#   - a .sql file: runs in its own fresh database;
#   - a directory: one "project"; its *.sql files (not recursive) run in sorted
#     file-name order (C collation, i.e. migration timestamp order) in ONE fresh
#     database. A directory with no *.sql of its own but a supabase/migrations/
#     folder is read as a project root: supabase/migrations/*.sql, then
#     supabase/seed.sql if present.
# Every database first gets the Supabase stubs (roles, auth/storage schemas,
# auth.uid()/jwt()/role(), default grants), then the item's SQL via
# `psql -v ON_ERROR_STOP=1 -q -X`, one psql session per file (as the Supabase
# CLI applies one migration file at a time).
#
# Output: one line per item, `ok  <path>` or `FAIL <path>` followed by psql's
# error (indented), then `N passed, N failed`. Exit status 0 if all passed,
# 1 if any failed, 2 on usage or setup errors.
#
# One cluster serves all items: it is created in a temp dir, listens on
# 127.0.0.1 and a unix socket in that dir, trusts local connections, and is
# stopped and removed on exit (also on error or Ctrl-C).
#
# Environment:
#   SUPABASE_STUBS  stubs file (default: <repo>/../shared/tools/supabase-stubs.sql)
#   PG_RUN_PORT     first port to try (default 54399; the next free one is used)
#   PG_BIN          PostgreSQL bin dir (default /usr/lib/postgresql/15/bin)
#   PG_RUN_VERBOSE  1: also print NOTICEs and the server log on failure
#   PG_RUN_COMPARE  1: after an item's SQL ran, compare PostgreSQL's catalog
#                   (scripts/catalog.sql) with supaudit's schema model: the
#                   item's catalog.txt when it has one (fixture dirs written by
#                   the rule tests), else `$SUPAUDIT_BIN catalog <item>` (a
#                   project root). A difference fails the item with a diff
#                   (scripts/catalog-diff.py). An item with a `catalog.skip`
#                   file (its first line says why) is not compared.
#   SUPAUDIT_BIN    supaudit binary for PG_RUN_COMPARE (default: supaudit on PATH)
#
# Works as root (CI): initdb/postgres run as the `postgres` user, psql runs as
# the caller and connects as the cluster superuser `postgres`.

set -euo pipefail

PG_MAJOR=15
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_SUPERUSER=postgres

die() { echo "pg-run: $*" >&2; exit 2; }

if [ $# -eq 0 ]; then
  sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
  exit 2
fi
case "$1" in -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- stubs -------------------------------------------------------------------
if [ -z "${SUPABASE_STUBS:-}" ]; then
  if top=$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null); then
    SUPABASE_STUBS="$top/../shared/tools/supabase-stubs.sql"
  else
    SUPABASE_STUBS="$script_dir/../../shared/tools/supabase-stubs.sql"
  fi
fi
[ -f "$SUPABASE_STUBS" ] || die "stubs file not found: $SUPABASE_STUBS (set SUPABASE_STUBS)"
SUPABASE_STUBS=$(cd "$(dirname "$SUPABASE_STUBS")" && pwd)/$(basename "$SUPABASE_STUBS")

# --- check the arguments before paying for a cluster ---------------------------
for arg in "$@"; do
  [ -e "$arg" ] || die "no such file or directory: $arg"
done

# --- PostgreSQL binaries ------------------------------------------------------
if [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "PostgreSQL $PG_MAJOR not found in $PG_BIN and not root: install it with 'apt-get install -y postgresql'"
  fi
  echo "pg-run: installing PostgreSQL (apt-get install postgresql)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  if [ ! -x "$PG_BIN/initdb" ]; then
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] && [ -x "$found/initdb" ] || die "initdb not found after installing postgresql"
    echo "pg-run: warning: PostgreSQL $PG_MAJOR not available, using $found" >&2
    PG_BIN=$found
  fi
fi
PSQL=$PG_BIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "psql not found"

# Run a server-side command as the postgres user when we are root (initdb and
# postgres refuse to run as root); as ourselves otherwise.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
  if command -v runuser >/dev/null 2>&1; then
    as_pg() { runuser -u postgres -- "$@"; }
  else
    as_pg() { su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; }
  fi
else
  as_pg() { "$@"; }
fi

# --- throwaway cluster ----------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pg-run.XXXXXX")
started=0
cleanup() {
  local rc=$?
  if [ "$started" = 1 ] || [ -f "$tmp/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" -eq 0 ] && chown postgres: "$tmp"
chmod 700 "$tmp"

port_in_use() {
  # Something already listens on 127.0.0.1:PORT.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  return 1
}
as_pg "$PG_BIN/initdb" -D "$tmp/data" -U "$PG_SUPERUSER" -A trust -E UTF8 \
  --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
  || as_pg "$PG_BIN/initdb" -D "$tmp/data" -U "$PG_SUPERUSER" -A trust -E UTF8 \
       --locale=C --no-sync >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }

# Start on the first free port from PG_RUN_PORT; if another run grabs the same
# port between the probe and the bind, try the next one. Test-only settings:
# durability off for speed.
port=${PG_RUN_PORT:-54399}
for _ in $(seq 1 20); do
  tries=0
  while port_in_use "$port"; do
    port=$((port + 1)); tries=$((tries + 1))
    [ "$tries" -lt 200 ] || die "no free port found from ${PG_RUN_PORT:-54399}"
  done
  if as_pg "$PG_BIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
  port=$((port + 1))
done
if [ "$started" != 1 ]; then
  cat "$tmp/server.log" >&2 2>/dev/null || true
  die "could not start PostgreSQL (last port tried: $((port - 1)))"
fi

export PGHOST=$tmp PGPORT=$port PGUSER=$PG_SUPERUSER
unset PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE PGOPTIONS
if [ "${PG_RUN_VERBOSE:-0}" != 1 ]; then
  # Hide NOTICEs ("extension already exists, skipping", ...): only errors matter.
  export PGOPTIONS='-c client_min_messages=warning'
fi

admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

# --- run ------------------------------------------------------------------------
passed=0
failed=0
n=0
for item in "$@"; do
  n=$((n + 1))
  files=()
  if [ -d "$item" ]; then
    mapfile -t files < <(find "$item" -maxdepth 1 -type f -name '*.sql' | LC_ALL=C sort)
    if [ ${#files[@]} -eq 0 ] && [ -d "$item/supabase/migrations" ]; then
      mapfile -t files < <(find "$item/supabase/migrations" -maxdepth 1 -type f -name '*.sql' | LC_ALL=C sort)
      [ -f "$item/supabase/seed.sql" ] && files+=("$item/supabase/seed.sql")
    fi
  else
    files=("$item")
  fi

  if [ ${#files[@]} -eq 0 ]; then
    echo "FAIL $item"
    echo "    no .sql files found"
    failed=$((failed + 1))
    continue
  fi

  db="pgrun_$n"
  # Supabase's roles resolve names with search_path "$user", public, extensions.
  admin -c "drop database if exists $db" -c "create database $db" \
    -c "alter database $db set search_path = \"\$user\", public, extensions" >"$tmp/err" 2>&1 \
    || { cat "$tmp/err" >&2; die "could not create database $db"; }

  ok=1
  floor=""
  for f in "$SUPABASE_STUBS" "${files[@]}"; do
    if ! "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" >/dev/null 2>"$tmp/err"; then
      ok=0
      break
    fi
    if [ "${PG_RUN_VERBOSE:-0}" = 1 ] && [ -s "$tmp/err" ]; then
      sed 's/^/    /' "$tmp/err" >&2
    fi
    if [ "$f" = "$SUPABASE_STUBS" ] && [ "${PG_RUN_COMPARE:-0}" = 1 ]; then
      # Everything created from here on is the project's (oids only grow).
      floor=$("$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "select greatest(
        (select max(oid::int8) from pg_class), (select max(oid::int8) from pg_proc),
        (select max(oid::int8) from pg_type), (select coalesce(max(oid::int8), 0) from pg_policy),
        (select max(oid::int8) from pg_namespace), (select max(oid::int8) from pg_constraint))")
    fi
  done

  compared=""
  if [ "$ok" = 1 ] && [ "${PG_RUN_COMPARE:-0}" = 1 ]; then
    if [ -d "$item" ] && [ -f "$item/catalog.skip" ]; then
      compared=" (model not compared: $(head -n 1 "$item/catalog.skip"))"
    else
      if [ -d "$item" ] && [ -f "$item/catalog.txt" ]; then
        cp "$item/catalog.txt" "$tmp/model.txt"
      elif ! "${SUPAUDIT_BIN:-supaudit}" catalog "$item" >"$tmp/model.txt" 2>"$tmp/err"; then
        ok=0
      fi
      if [ "$ok" = 1 ]; then
        if ! "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -v floor="$floor" -d "$db" \
             -f "$script_dir/catalog.sql" >"$tmp/pg.txt" 2>"$tmp/err"; then
          ok=0
        elif ! python3 "$script_dir/catalog-diff.py" "$tmp/model.txt" "$tmp/pg.txt" >"$tmp/err"; then
          ok=0
          f="the model-vs-PostgreSQL comparison (- supaudit's model, + PostgreSQL)"
        else
          compared=" (model = catalog)"
        fi
      fi
    fi
  fi

  if [ "$ok" = 1 ]; then
    echo "ok  $item$compared"
    passed=$((passed + 1))
  else
    echo "FAIL $item"
    [ "$f" = "$SUPABASE_STUBS" ] && echo "    (while loading the stubs $f)"
    case "$f" in "the model-vs-PostgreSQL"*) echo "    $f:" ;; esac
    sed 's/^/    /' "$tmp/err"
    if [ "${PG_RUN_VERBOSE:-0}" = 1 ]; then
      echo "    --- server log (tail) ---"
      tail -n 20 "$tmp/server.log" | sed 's/^/    /'
    fi
    failed=$((failed + 1))
  fi
  admin -c "drop database if exists $db" >/dev/null 2>&1 || true
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
