#!/usr/bin/env bash
# Runs every test of Connect+ on a fresh machine: installs what is missing, starts the servers the
# integration tests need on loopback, runs `dotnet test`, stops what it started, and ends with the
# line "N passed, N failed, N skipped". Exit code 0 only when nothing failed.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

started_pids=()
cleanup() {
  for pid in "${started_pids[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  stop_postgres
}
trap cleanup EXIT

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "test.sh: the .NET SDK (dotnet) is not on PATH; install .NET 10 SDK first." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
}

need_dotnet
echo "== dotnet $(dotnet --version)"

# Debian packages the tests need: Chromium for the end-to-end tests (driven by Playwright), GnuPG for
# the PGP blocks' interoperability tests.
apt_updated=0
install_package() { # install_package <debian-package>
  echo "== installing $1"
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q > "$results/apt-update.log" 2>&1 || true
    apt_updated=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" > "$results/apt-$1.log" 2>&1; then
    echo "test.sh: could not install $1 (see $results/apt-$1.log); the tests that need it will fail." >&2
  fi
}
ensure_package() { # ensure_package <command-or-path> <debian-package>
  if command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; then return 0; fi
  install_package "$2"
}
ensure_package /usr/bin/chromium chromium
ensure_package gpg gnupg

# Servers for integration tests, on loopback only. File servers (sshd, vsftpd for FTP and FTPS, s3rver):
# scripts/test-servers.sh installs, configures and starts them, exports CONNECTPLUS_TEST_* for the tests and
# adds their pids to started_pids. A server that does not start makes its tests fail, never skip.
# shellcheck source=scripts/test-servers.sh
. scripts/test-servers.sh
test_servers_stop
if ! test_servers_start; then
  echo "test.sh: the file servers did not all start (logs in artifacts/servers/); the connector tests will fail." >&2
fi

# PostgreSQL for the persistence tests: a throwaway cluster in a temp folder on a free loopback port, run
# by the postgres user when we are root (PostgreSQL refuses root), stopped on exit. Only this cluster is
# touched: a PostgreSQL service the machine may run is left alone. The tests read its connection string
# from CONNECTPLUS_TEST_POSTGRES and fail (not skip) without it.
pg_dir=""
pg_bin=""
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pg_bin" ]; then
    install_package postgresql
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  if [ -z "$pg_bin" ]; then
    echo "test.sh: PostgreSQL is not installed; the PostgreSQL tests will fail." >&2
    return
  fi
  pg_dir=$(mktemp -d /tmp/connectplus-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$pg_dir"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "== starting PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
  if ! as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-sync > "$results/postgres-initdb.log" 2>&1 \
    || ! as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c max_connections=200" start > /dev/null 2>&1; then
    cp "$pg_dir/postgres.log" "$results/" 2>/dev/null
    echo "test.sh: PostgreSQL did not start (see $results/postgres-initdb.log, $results/postgres.log); its tests will fail." >&2
    return
  fi
  export CONNECTPLUS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop > /dev/null 2>&1
  fi
  cp "$pg_dir/postgres.log" "$results/" 2>/dev/null
  rm -rf "$pg_dir"
  pg_dir=""
}
start_postgres

echo "== building"
if ! dotnet build ConnectPlus.sln -c Debug -warnaserror --nologo -v minimal > "$results/build.log" 2>&1; then
  grep -E "error|Error" "$results/build.log" | sort -u | head -50
  echo "test.sh: the build failed (full log: $results/build.log)."
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== testing"
# TEST_FILTER (a dotnet test --filter expression) runs only some tests, with the same servers.
dotnet test ConnectPlus.sln --no-build --nologo ${TEST_FILTER:+--filter "$TEST_FILTER"} \
  --logger "trx;LogFilePrefix=results" --results-directory "$results" \
  --logger "console;verbosity=normal" 2>&1 | tee "$results/test.log" | grep -E -A3 "^\s+Failed [A-Z]" | grep -vE "^\s+(Passed|Skipped) |Stack Trace|^--$" 
status=${PIPESTATUS[0]}

# Count from the TRX files: one per test assembly.
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  echo "test.sh: dotnet test exited with $status without a failed test (crash or host abort); see $results/test.log"
  failed=1
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "${failed:-0}" -eq 0 ]
