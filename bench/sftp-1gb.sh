#!/usr/bin/env bash
# Connect+ benchmark of issue #3: a ~1 GB CSV streamed SFTP → Read CSV → Write CSV → SFTP through the CLI
# (bench/sftp-csv-copy.json), next to OpenSSH's scp and sftp moving the same file down and up on the same
# sshd. Prints wall, CPU (user+sys), peak RSS and MB/s; never fails on a time. See bench/README.md.
#
# usage: bench/sftp-1gb.sh [--bills 3850000] [--rounds 2] [--work /tmp/connectplus-bench-sftp] [--keep] [--skip-build]
# needs: the loopback test servers' variables (source artifacts/servers/env.sh, or the shared test-env.sh):
#        CONNECTPLUS_TEST_SFTP_PORT, CONNECTPLUS_TEST_USER, CONNECTPLUS_TEST_SFTP_KEY (and CONNECTPLUS_TEST_HOME
#        to check the copy byte for byte on the server's disk when it is readable here).
# exit:  0 all runs done; 1 a step failed; 2 usage.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BILLS=3850000
ROUNDS=2
WORK=/tmp/connectplus-bench-sftp
KEEP=0
BUILD=1
CLI="$ROOT/ConnectPlus.Web/bin/Release/net10.0/ConnectPlus.Web"
BENCH="$ROOT/bench/ConnectPlus.Bench/bin/Release/net10.0/ConnectPlus.Bench"
FLOW="$ROOT/bench/sftp-csv-copy.json"

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$1" >&2; exit "${2:-1}"; }
usage() { sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bills) [[ $# -ge 2 ]] || usage; BILLS="$2"; shift 2 ;;
    --rounds) [[ $# -ge 2 ]] || usage; ROUNDS="$2"; shift 2 ;;
    --work) [[ $# -ge 2 ]] || usage; WORK="$(realpath -m "$2")"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) printf 'bench: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
for n in $BILLS $ROUNDS; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "numbers must be whole and above 0; got '$n'." 2
done
for v in CONNECTPLUS_TEST_SFTP_PORT CONNECTPLUS_TEST_USER CONNECTPLUS_TEST_SFTP_KEY; do
  [[ -n "${!v:-}" ]] || die "$v is not set: start the test servers and source their env.sh first (see the usage)." 2
done

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
command -v dotnet >/dev/null || die "dotnet is not on the PATH: install the .NET 10 SDK first."
command -v scp >/dev/null && command -v sftp >/dev/null || die "scp and sftp (OpenSSH) are needed for the comparison."

if [[ $BUILD -eq 1 ]]; then
  say "== build (Release)"
  dotnet build "$ROOT/ConnectPlus.Web/ConnectPlus.Web.csproj" -c Release -v quiet -nologo || die "the Release build of ConnectPlus.Web failed."
  dotnet build "$ROOT/bench/ConnectPlus.Bench/ConnectPlus.Bench.csproj" -c Release -v quiet -nologo || die "the Release build of the bench tool failed."
fi
[[ -x "$CLI" && -x "$BENCH" ]] || die "$CLI or $BENCH is missing: run without --skip-build."

PORT="$CONNECTPLUS_TEST_SFTP_PORT"
TARGET="$CONNECTPLUS_TEST_USER@127.0.0.1"
SSH_OPTIONS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -i "$CONNECTPLUS_TEST_SFTP_KEY")
REMOTE="upload/bench-sftp-$$"
mkdir -p "$WORK"
INPUT="$WORK/bills.csv"

cleanup() {
  printf -- '-rm %s/in/bills.csv\n-rm %s/out/bills_copy.csv\n-rm %s/sftp/bills.csv\n-rmdir %s/in\n-rmdir %s/out\n-rmdir %s/sftp\n-rmdir %s\n' \
    "$REMOTE" "$REMOTE" "$REMOTE" "$REMOTE" "$REMOTE" "$REMOTE" "$REMOTE" >"$WORK/cleanup.batch"
  sftp "${SSH_OPTIONS[@]}" -P "$PORT" -b "$WORK/cleanup.batch" "$TARGET" >/dev/null 2>&1 || true
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; else say "kept $WORK"; fi
}
trap cleanup EXIT

# 1. The file: bill lines as the transactions generator writes them (plain CSV, LF, quotes where needed).
if [[ ! -f "$INPUT" ]]; then
  say "== generating $BILLS bills into $INPUT"
  "$BENCH" transactions --bills "$BILLS" --bad-share 0 --out "$INPUT" >/dev/null || die "generating the bills failed."
fi
BYTES=$(stat -c %s "$INPUT")
MB=$(LC_ALL=C awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')
say "== $INPUT: $MB MB, $(( $(wc -l <"$INPUT") - 1 )) rows"

printf 'mkdir %s\nmkdir %s/in\nmkdir %s/out\nmkdir %s/sftp\n' "$REMOTE" "$REMOTE" "$REMOTE" "$REMOTE" >"$WORK/mkdir.batch"
sftp "${SSH_OPTIONS[@]}" -P "$PORT" -b "$WORK/mkdir.batch" "$TARGET" >/dev/null || die "cannot make $REMOTE on the SFTP server."

# The CLI signs in with the same key as scp and sftp, given through the environment, not the file.
cat >"$WORK/connections.json" <<EOF
{ "connections": [ { "name": "bench-sftp", "type": "sftp", "settings": {
  "host": "127.0.0.1", "port": $PORT, "username": "$CONNECTPLUS_TEST_USER",
  "privateKey": "\${env:BENCH_SFTP_KEY}", "rootFolder": "$REMOTE" } } ] }
EOF
BENCH_SFTP_KEY="$(cat "$CONNECTPLUS_TEST_SFTP_KEY")"
export BENCH_SFTP_KEY
# The same dataflow on a local folder (a hard link of the input, so no copy): what the CSV work costs without SSH.
mkdir -p "$WORK/local/in"
ln -f "$INPUT" "$WORK/local/in/bills.csv" 2>/dev/null || cp "$INPUT" "$WORK/local/in/bills.csv"
printf '{ "connections": [ { "name": "bench-sftp", "type": "local", "settings": { "folder": "%s" } } ] }\n' "$WORK/local" >"$WORK/connections.local.json"

value() { sed -n "s/^$2=//p" "$1" | head -n 1; }
measure() { local report="$1"; shift; "$BENCH" measure --report "$report" -- "$@"; }
sum() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
max() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a > b ? a : b) }'; }

rows=()
record() { # name wall cpu peak [run seconds]
  rows+=("$1|$2|$3|$4|${5:-}")
}

# 2. Rounds, interleaved: scp down+up, sftp get+put, Connect+ (the machine's load changes; compare within a round).
for round in $(seq 1 "$ROUNDS"); do
  say "== round $round: scp up (it also puts the input in place), scp down"
  d="$WORK/round-$round"; mkdir -p "$d"
  measure "$d/scp-up.txt" scp "${SSH_OPTIONS[@]}" -q -P "$PORT" "$INPUT" "$TARGET:$REMOTE/in/bills.csv" || die "scp upload failed."
  measure "$d/scp-down.txt" scp "${SSH_OPTIONS[@]}" -q -P "$PORT" "$TARGET:$REMOTE/in/bills.csv" "$d/scp-down.csv" || die "scp download failed."
  rm -f "$d/scp-down.csv"
  record "scp down+up" "$(sum "$(value "$d/scp-down.txt" wall_seconds)" "$(value "$d/scp-up.txt" wall_seconds)")" \
    "$(sum "$(value "$d/scp-down.txt" cpu_seconds)" "$(value "$d/scp-up.txt" cpu_seconds)")" \
    "$(max "$(value "$d/scp-down.txt" peak_rss_mb)" "$(value "$d/scp-up.txt" peak_rss_mb)")"

  say "== round $round: sftp get, sftp put"
  printf 'get %s/in/bills.csv %s\n' "$REMOTE" "$d/sftp-down.csv" >"$d/get.batch"
  printf 'put %s %s/sftp/bills.csv\n' "$INPUT" "$REMOTE" >"$d/put.batch"
  measure "$d/sftp-down.txt" sftp "${SSH_OPTIONS[@]}" -q -P "$PORT" -b "$d/get.batch" "$TARGET" >/dev/null || die "sftp get failed."
  rm -f "$d/sftp-down.csv"
  measure "$d/sftp-up.txt" sftp "${SSH_OPTIONS[@]}" -q -P "$PORT" -b "$d/put.batch" "$TARGET" >/dev/null || die "sftp put failed."
  record "sftp get+put" "$(sum "$(value "$d/sftp-down.txt" wall_seconds)" "$(value "$d/sftp-up.txt" wall_seconds)")" \
    "$(sum "$(value "$d/sftp-down.txt" cpu_seconds)" "$(value "$d/sftp-up.txt" cpu_seconds)")" \
    "$(max "$(value "$d/sftp-down.txt" peak_rss_mb)" "$(value "$d/sftp-up.txt" peak_rss_mb)")"

  say "== round $round: Connect+ CLI, $FLOW"
  # A fresh runs folder each round: its ledger would otherwise (rightly) skip the file read before.
  Engine__WorkFolder="$d/work" measure "$d/cli.txt" "$CLI" run --flow "$FLOW" --quiet \
    --connections "$WORK/connections.json" --runs "$d/runs" >"$d/cli.log" 2>&1 || { cat "$d/cli.log"; die "the Connect+ run failed."; }
  grep -E '^(source|read|write|destination|Outcome)' "$d/cli.log" || true
  run_s=$(sed -n 's/^Outcome: .* in \([0-9.]*\) s .*/\1/p' "$d/cli.log" | tail -n 1)
  record "Connect+ (CLI)" "$(value "$d/cli.txt" wall_seconds)" "$(value "$d/cli.txt" cpu_seconds)" "$(value "$d/cli.txt" peak_rss_mb)" "$run_s"

  say "== round $round: Connect+ CLI, the same dataflow on a local folder (no SSH)"
  Engine__WorkFolder="$d/work" measure "$d/local.txt" "$CLI" run --flow "$FLOW" --quiet \
    --connections "$WORK/connections.local.json" --runs "$d/runs-local" >"$d/local.log" 2>&1 || { cat "$d/local.log"; die "the local run failed."; }
  grep -E '^(source|read|write|destination|Outcome)' "$d/local.log" || true
  rm -f "$WORK/local/out/bills_copy.csv"
  run_s=$(sed -n 's/^Outcome: .* in \([0-9.]*\) s .*/\1/p' "$d/local.log" | tail -n 1)
  record "Connect+ local" "$(value "$d/local.txt" wall_seconds)" "$(value "$d/local.txt" cpu_seconds)" "$(value "$d/local.txt" peak_rss_mb)" "$run_s"
done

# 3. The copy must be the file, byte for byte (checked on the server's disk when it is readable from here).
copy="${CONNECTPLUS_TEST_HOME:-/nonexistent}/$REMOTE/out/bills_copy.csv"
if [[ -r "$copy" ]]; then
  if cmp -s "$INPUT" "$copy"; then say "== the copy on the server is identical to the input"; else die "the copy on the server differs from the input."; fi
else
  say "== the copy was not compared (the server's disk is not readable here)"
fi

say ""
say "== $MB MB moved down and up (MB = 2^20 bytes). MB/s = file size ÷ wall time of the whole move (scp and sftp: the"
say "   download and the upload one after the other; Connect+: the whole CLI process, which downloads, parses and writes"
say "   the CSV, then uploads it; 'Connect+ local': the same dataflow on a local folder, the CSV work alone). cpu = user+sys."
say "   run = the CLI's own run time (without process start-up). load: $(cut -d' ' -f1-3 /proc/loadavg) now."
printf '%-16s %8s %8s %10s %8s %8s\n' "" "wall s" "cpu s" "peak MB" "MB/s" "run s"
for line in "${rows[@]}"; do
  IFS='|' read -r name wall cpu peak run <<<"$line"
  LC_ALL=C awk -v n="$name" -v w="$wall" -v c="$cpu" -v p="$peak" -v r="$run" -v mb="$MB" \
    'BEGIN { printf "%-16s %8.2f %8.2f %10.1f %8.1f %8s\n", n, w, c, p, mb / w, r }'
done
