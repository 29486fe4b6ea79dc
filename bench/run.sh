#!/usr/bin/env bash
# Connect+ benchmark: generates Capillary-like Data Exports and times the export-join dataflow on
# them through the CLI (`ConnectPlus.Web run --flow ...`). It prints numbers; it never fails on a
# time. Works from any directory. See bench/README.md.
#
# usage: bench/run.sh [--sizes "100000 1000000"] [--seed 1] [--timeout 1800] [--skip-build]
#                     [--flow FILE] [--cli PATH] [-- extra arguments for every CLI run]
# exit:  0 all runs done; 1 a run or a step failed; 2 usage; 3 exports generated but nothing to
#        run them with (no CLI or no sample dataflow yet).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
SIZES="100000 1000000"
SEED=1
TIMEOUT=1800
BUILD=1
FLOW="$ROOT/samples/export-join.json"
CLI="$ROOT/ConnectPlus.Web/bin/Release/net10.0/ConnectPlus.Web"
BENCH="$ROOT/bench/ConnectPlus.Bench/bin/Release/net10.0/ConnectPlus.Bench"
EXTRA=()
# DuckDB joining the same 1M-member export (reference figures to compare with).
DUCKDB_SECONDS=4.7
DUCKDB_PEAK_MB=411

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$1" >&2; exit "${2:-1}"; }
usage() { sed -n '6,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) [[ $# -ge 2 ]] || usage; SIZES="$2"; shift 2 ;;
    --seed) [[ $# -ge 2 ]] || usage; SEED="$2"; shift 2 ;;
    --timeout) [[ $# -ge 2 ]] || usage; TIMEOUT="$2"; shift 2 ;;
    --flow) [[ $# -ge 2 ]] || usage; FLOW="$(realpath -m "$2")"; shift 2 ;;
    --cli) [[ $# -ge 2 ]] || usage; CLI="$(realpath -m "$2")"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) usage ;;
    *) printf 'bench: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
for n in $SIZES; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--sizes takes whole numbers of members, such as \"100000 1000000\"; got '$n'." 2
done
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed takes a whole number; got '$SEED'." 2
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout takes whole seconds; got '$TIMEOUT'." 2

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
command -v dotnet >/dev/null || die "dotnet is not on the PATH: install the .NET 10 SDK first."
mkdir -p "$OUT"

# 1. Build Release once.
if [[ $BUILD -eq 1 ]]; then
  say "== build (Release)"
  dotnet build "$ROOT/ConnectPlus.sln" -c Release -v quiet -nologo \
    || die "the Release build failed (see above); the benchmark needs a green build."
  # The web host carries the CLI; build it too when the solution does not list it.
  if [[ -f "$ROOT/ConnectPlus.Web/ConnectPlus.Web.csproj" ]] \
     && ! dotnet sln "$ROOT/ConnectPlus.sln" list | grep -q 'ConnectPlus.Web'; then
    dotnet build "$ROOT/ConnectPlus.Web/ConnectPlus.Web.csproj" -c Release -v quiet -nologo \
      || die "the Release build of ConnectPlus.Web failed (see above)."
  fi
fi
[[ -x "$BENCH" ]] || die "$BENCH is missing: run without --skip-build."

# 2. Generate the exports, or reuse those made before with the same size and seed.
manifest_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }
for n in $SIZES; do
  dir="$OUT/export-$n"
  manifest="$OUT/export-$n.manifest"
  if [[ -f "$manifest" && "$(manifest_value "$manifest" members)" == "$n" && "$(manifest_value "$manifest" seed)" == "$SEED" ]]; then
    zip="$dir/$(manifest_value "$manifest" zip_file)"
    if [[ -f "$zip" && "$(stat -c %s "$zip")" == "$(manifest_value "$manifest" zip_bytes)" ]]; then
      say "== export of $n members: reusing $zip"
      continue
    fi
  fi
  say "== export of $n members (seed $SEED)"
  rm -rf "$dir" "$manifest"
  "$BENCH" export --members "$n" --seed "$SEED" --out "$dir" --manifest "$manifest.partial" \
    || die "generating the export of $n members failed."
  mv "$manifest.partial" "$manifest"
done

# 3. Run the export-join dataflow on each export.
if [[ ! -f "$FLOW" ]]; then
  say "bench: the dataflow $FLOW does not exist yet: exports are in $OUT, nothing was measured."
  exit 3
fi
if [[ ! -x "$CLI" ]]; then
  say "bench: the CLI $CLI is not built: exports are in $OUT, nothing was measured."
  exit 3
fi
if [[ "$CLI" == "$ROOT/ConnectPlus.Web/"* && ! -d "$ROOT/ConnectPlus.Web/Cli" ]]; then
  # Without the CLI verbs the executable would start the web server and never exit.
  say "bench: ConnectPlus.Web has no Cli/ folder yet (no 'run' verb): exports are in $OUT, nothing was measured."
  exit 3
fi

failed=0
results=()
for n in $SIZES; do
  run="$OUT/run-$n"
  result="$OUT/result-$n"
  rm -rf "$run" "$result"
  mkdir -p "$run/input" "$result"
  # A fresh copy per run: the source block may move or record what it has read.
  cp "$OUT/export-$n/$(manifest_value "$OUT/export-$n.manifest" zip_file)" "$run/input/"
  say "== export-join on $n members"
  set +e
  (cd "$ROOT" && "$BENCH" measure --report "$run/measure.txt" --timeout "$TIMEOUT" -- \
      "$CLI" run --flow "$FLOW" \
      --set "source.folder=$run/input" \
      --set "destination.folder=$result" \
      "${EXTRA[@]}") 2>&1 | tee "$run/cli.log"
  status=${PIPESTATUS[0]}
  set -e
  if [[ $status -ne 0 || ! -f "$run/measure.txt" ]]; then
    say "bench: the run on $n members failed (exit $status); its output is in $run/cli.log."
    failed=1
    results+=("$n|failed (exit $status)")
    continue
  fi
  wall="$(manifest_value "$run/measure.txt" wall_seconds)"
  peak="$(manifest_value "$run/measure.txt" peak_rss_mb)"
  out_bytes="$(find "$result" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
  # Data rows of the CSVs written (one header line each).
  out_rows="$(find "$result" -type f -name '*.csv' -exec awk 'END { print NR - 1 }' {} \; | awk '{ s += $1 } END { print s + 0 }')"
  results+=("$n|$wall|$peak|$out_bytes|$out_rows")
done

# 4. The numbers.
say ""
say "== export-join: members/s = members in the export / wall time; MB = 2^20 bytes"
printf '%-14s %10s %14s %10s %12s %12s\n' "members" "wall s" "members/s" "peak MB" "output MB" "output rows"
for line in "${results[@]}"; do
  IFS='|' read -r n wall peak out_bytes out_rows <<<"$line"
  if [[ -z "${peak:-}" ]]; then
    printf '%-14s %s\n' "$n" "$wall"
    continue
  fi
  LC_ALL=C awk -v n="$n" -v w="$wall" -v p="$peak" -v b="$out_bytes" -v r="$out_rows" \
    'BEGIN { printf "%-14s %10.2f %14.0f %10.1f %12.1f %12d\n", n, w, (w > 0 ? n / w : 0), p, b / 1048576, r }'
done
LC_ALL=C awk -v w="$DUCKDB_SECONDS" -v p="$DUCKDB_PEAK_MB" \
  'BEGIN { printf "%-14s %10.2f %14.0f %10.1f %12s %12s   (reference)\n", "DuckDB 1M", w, 1000000 / w, p, "-", "-" }'
exit $failed
