#!/usr/bin/env bash
# Connect+ benchmark of the Capillary API block: bill lines → group (Build API payload) → v2 bulk
# batches → the app's Capillary sandbox, through the CLI, next to a plain HttpClient loop posting the
# same pre-built payloads to the same sandbox. Prints numbers; never fails on a time. See bench/README.md.
#
# usage: bench/capillary-sink.sh [--bills "100000 1000000"] [--members 10000] [--batch 100]
#                                [--parallel 4] [--port 5077] [--rounds 1] [--warmup 3] [--host-warmup 5]
#                                [--skip-build] [--pin] [--only "plain pipeline host sink"]
#        --pin: the sandbox on CPU 0, the plain loop, the CLI and the engine host on CPU 1 (taskset), as when
#        the API has machines of its own; without it they all share every core.
#        --only: the runs each round makes (plain always: shares are of it); "plain host" fits more rounds in the time.
# exit:  0 all runs done; 1 a step failed; 2 usage.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out/capillary"
BILLS="100000 1000000"
MEMBERS=10000
BATCH=100
PARALLEL=4
PORT=5077
ROUNDS=1
WARMUP=3
HOST_WARMUP=5
BUILD=1
PIN=0
ONLY="plain pipeline host sink"
APP_DIR="$ROOT/bench/out/app"
CLI="$APP_DIR/ConnectPlus.Web"
BENCH="$ROOT/bench/ConnectPlus.Bench/bin/Release/net10.0/ConnectPlus.Bench"
SAMPLE="$ROOT/samples/transactions-to-capillary.json"
PAYLOAD_FLOW="$ROOT/bench/capillary-payloads.json"
SINK_ONLY_FLOW="$ROOT/bench/capillary-payload-file.json"

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$1" >&2; exit "${2:-1}"; }
usage() { sed -n '6,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bills) [[ $# -ge 2 ]] || usage; BILLS="$2"; shift 2 ;;
    --members) [[ $# -ge 2 ]] || usage; MEMBERS="$2"; shift 2 ;;
    --batch) [[ $# -ge 2 ]] || usage; BATCH="$2"; shift 2 ;;
    --parallel) [[ $# -ge 2 ]] || usage; PARALLEL="$2"; shift 2 ;;
    --port) [[ $# -ge 2 ]] || usage; PORT="$2"; shift 2 ;;
    --rounds) [[ $# -ge 2 ]] || usage; ROUNDS="$2"; shift 2 ;;
    --warmup) [[ $# -ge 2 ]] || usage; WARMUP="$2"; shift 2 ;;
    --host-warmup) [[ $# -ge 2 ]] || usage; HOST_WARMUP="$2"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --pin) PIN=1; shift ;;
    --only) [[ $# -ge 2 ]] || usage; ONLY="${2//,/ }"; shift 2 ;;
    -h|--help) usage ;;
    *) printf 'bench: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
for n in $BILLS $MEMBERS $BATCH $PARALLEL $PORT $ROUNDS $WARMUP; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "numbers must be whole and above 0; got '$n'." 2
done

for what in $ONLY; do
  [[ "$what" =~ ^(plain|pipeline|host|sink)$ ]] || die "--only takes plain, pipeline, host and sink; got '$what'." 2
done
[[ " $ONLY " == *" plain "* ]] || ONLY="plain $ONLY"
wants() { [[ " $ONLY " == *" $1 "* ]]; }

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
command -v dotnet >/dev/null || die "dotnet is not on the PATH: install the .NET 10 SDK first."
command -v curl >/dev/null || die "curl is needed to drive the sandbox."
mkdir -p "$OUT"

if [[ $BUILD -eq 1 ]]; then
  # The app as README's "Deploy it" publishes it: Release, for this platform, compiled ahead of time (ReadyToRun).
  case "$(uname -m)" in x86_64) RID=linux-x64 ;; aarch64|arm64) RID=linux-arm64 ;; *) die "no .NET runtime identifier known for $(uname -m)." ;; esac
  say "== publish (Release, $RID, ReadyToRun) to $APP_DIR"
  dotnet publish "$ROOT/ConnectPlus.Web/ConnectPlus.Web.csproj" -c Release -r "$RID" --self-contained false -o "$APP_DIR" -v quiet -nologo \
    || die "publishing ConnectPlus.Web failed."
  dotnet build "$ROOT/bench/ConnectPlus.Bench/ConnectPlus.Bench.csproj" -c Release -v quiet -nologo || die "the Release build of the bench tool failed."
fi
[[ -x "$CLI" && -x "$BENCH" ]] || die "$CLI or $BENCH is missing: run without --skip-build."
SERVER_CPU=(); CLIENT_CPU=()
if [[ $PIN -eq 1 ]]; then
  command -v taskset >/dev/null || die "--pin needs taskset (util-linux)."
  [[ $(nproc) -ge 2 ]] || die "--pin needs 2 CPUs or more."
  SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1)
  say "== pinned: sandbox on CPU 0, clients (plain loop, CLI, engine host) on CPU 1"
fi

# The app, for its sandbox: quiet, a short request log (the page's), tokens that outlive the runs.
URL="http://127.0.0.1:$PORT"
SANDBOX="$URL/sandbox/capillary"
Logging__LogLevel__Default=Warning \
  Sandbox__RequestLogSize=1000 Sandbox__Faults__TokenTtlSeconds=86400 \
  "${SERVER_CPU[@]}" "$CLI" --urls "$URL" >"$OUT/app.log" 2>&1 &
APP=$!
HOST_APP=""
trap 'kill "$APP" 2>/dev/null || true; [[ -z "$HOST_APP" ]] || kill "$HOST_APP" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf "$SANDBOX/_state" >/dev/null 2>&1 && break
  kill -0 "$APP" 2>/dev/null || die "the app stopped at start; see $OUT/app.log."
  sleep 0.2
done
curl -sf "$SANDBOX/_state" >/dev/null || die "the sandbox did not answer at $SANDBOX; see $OUT/app.log."
say "== sandbox at $SANDBOX (app pid $APP)"

sed "s#http://localhost:5000/sandbox/capillary#$SANDBOX#" "$ROOT/samples/connections.sandbox.json" >"$OUT/connections.json"

# The engine host: the product as it runs dataflows, a long-running Connect+ web host (its own database, runs and
# folders under $HOST_DIR, no sandbox of its own), driven through its REST API. It runs the sample once per size
# before anything is timed (--host-warmup), as a host that has been up for a while has its code compiled.
HOST_PORT=$((PORT + 1))
HOST_URL="http://127.0.0.1:$HOST_PORT"
HOST_DIR="$OUT/host"
HOST_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
rm -rf "$HOST_DIR"; mkdir -p "$HOST_DIR/input" "$HOST_DIR/results"
( cd "$HOST_DIR" && Logging__LogLevel__Default=Warning Sandbox__Enabled=false Api__Keys__bench="$HOST_KEY" \
    exec "${CLIENT_CPU[@]}" "$CLI" --urls "$HOST_URL" ) >"$OUT/host.log" 2>&1 &
HOST_APP=$!
for _ in $(seq 1 300); do
  curl -sf -H "X-Api-Key: $HOST_KEY" "$HOST_URL/api/v1/connections" >/dev/null 2>&1 && break
  kill -0 "$HOST_APP" 2>/dev/null || die "the engine host stopped at start; see $OUT/host.log."
  sleep 0.2
done
FLOW_ID=$("$BENCH" host-setup --url "$HOST_URL" --key "$HOST_KEY" --flow "$SAMPLE" --connections "$OUT/connections.json" \
  --set "source.folder=$HOST_DIR/input" --set "destination.folder=$HOST_DIR/results" \
  --set "capillary.batchSize=$BATCH" --set "capillary.parallelRequests=$PARALLEL") \
  || die "setting the engine host up failed; see $OUT/host.log."
HOST_BASE=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$HOST_APP/status")
say "== engine host at $HOST_URL (pid $HOST_APP), dataflow $FLOW_ID; RSS before its first run: $HOST_BASE MB"

fresh_sandbox() {
  curl -sf -X POST "$SANDBOX/_reset" >/dev/null || die "the sandbox refused _reset."
  "$BENCH" capillary-members --url "$SANDBOX" --members "$MEMBERS" >/dev/null || die "registering the members failed."
}
sandbox_bills() { curl -sf "$SANDBOX/_state" | sed -n 's/.*"bills":\([0-9]*\).*/\1/p'; }
value() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# The run's own duration from the CLI summary ("Outcome: … in 6.63 s"): without process start-up.
run_seconds() { sed -n 's/^Outcome: .* in \([0-9.]*\) s .*/\1/p' "$1" | tail -n 1; }
# The CLI's CPU during the run ("Run CPU: 6.12 s …"): all its threads, start-up excluded.
run_cpu() { sed -n 's/^Run CPU: \([0-9.]*\) s.*/\1/p' "$1" | tail -n 1; }
# A process's CPU so far, user + system, in seconds: the app's (the sandbox's) by default.
app_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/${1:-$APP}/stat"; }
# The engine host's peak RSS since it started, in MB.
host_peak() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$HOST_APP/status"; }
# One run of the sample in the engine host on a copy of the bills named $2; its figures go to $1 (host-run's report).
host_run() {
  rm -rf "$HOST_DIR/input" "$HOST_DIR/results"; mkdir -p "$HOST_DIR/input" "$HOST_DIR/results"
  cp "$dir/bills.csv" "$HOST_DIR/input/$2"
  "$BENCH" host-run --url "$HOST_URL" --key "$HOST_KEY" --dataflow "$FLOW_ID" --report "$1" >"$1.log" 2>&1 \
    || { cat "$1.log" >&2; die "the engine host's run failed; see $1.log and $OUT/host.log."; }
}
minus() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

results=()
for n in $BILLS; do
  dir="$OUT/bills-$n"
  if [[ ! -f "$dir/bills.csv" ]]; then
    say "== $n bills (2 lines per bill on average, $MEMBERS members)"
    rm -rf "$dir"; mkdir -p "$dir"
    "$BENCH" transactions --bills "$n" --members "$MEMBERS" --bad-share 0 --out "$dir/bills.csv" || die "generating the bills failed."
  fi
  lines=$(( $(wc -l <"$dir/bills.csv") - 1 ))
  if [[ ! -f "$dir/payloads/payloads.csv" ]]; then
    say "== pre-built payloads for the plain loop"
    rm -rf "$dir/payload-input"; mkdir -p "$dir/payload-input"; cp "$dir/bills.csv" "$dir/payload-input/"
    "$CLI" run --flow "$PAYLOAD_FLOW" --quiet --runs "$dir/runs" \
      --set "source.folder=$dir/payload-input" --set "destination.folder=$dir/payloads" >"$dir/payloads.log" 2>&1 \
      || die "building the payloads failed; see $dir/payloads.log."
  fi

  # One pass is not enough: the sandbox (a web server) keeps compiling hot code at tier 1 for a few seconds, and a
  # first round's plain loop then ran at half speed, flattering the rounds after it.
  say "== warm-up: the plain loop $WARMUP times, so the sandbox's code is compiled before anything is timed"
  for _ in $(seq 1 "$WARMUP"); do
    fresh_sandbox
    "$BENCH" capillary-post --url "$SANDBOX" --payloads "$dir/payloads/payloads.csv" --batch "$BATCH" --parallel "$PARALLEL" >/dev/null \
      || die "the warm-up pass failed."
  done

  say "== warm-up: the engine host runs the sample $HOST_WARMUP time(s) on the $n bills"
  for w in $(seq 1 "$HOST_WARMUP"); do
    fresh_sandbox
    host_run "$dir/host-warmup.txt" "warmup-$w-bills.csv"
  done

  for round in $(seq 1 "$ROUNDS"); do
    say "== $n bills, round $round of $ROUNDS: $ONLY (plain loop, pipeline: CLI, host: engine host, sink alone; each on a fresh sandbox)"
    fresh_sandbox
    a=$(app_cpu)
    "${CLIENT_CPU[@]}" "$BENCH" capillary-post --url "$SANDBOX" --payloads "$dir/payloads/payloads.csv" --batch "$BATCH" --parallel "$PARALLEL" --report "$dir/plain.txt" \
      || die "the plain loop failed."
    b=$(app_cpu)
    results+=("$n|$round|plain|$(value "$dir/plain.txt" seconds)|$(value "$dir/plain.txt" cpu_seconds)|$(minus "$b" "$a")|-|$(sandbox_bills)")

    if wants pipeline; then
    fresh_sandbox
    run="$dir/run"
    rm -rf "$run"; mkdir -p "$run/input" "$run/results"; cp "$dir/bills.csv" "$run/input/"
    a=$(app_cpu)
    set +e
    "$BENCH" measure --report "$run/measure.txt" -- "${CLIENT_CPU[@]}" "$CLI" run --flow "$SAMPLE" --quiet \
      --connections "$OUT/connections.json" --runs "$run/runs" \
      --set "source.folder=$run/input" --set "destination.folder=$run/results" \
      --set "capillary.batchSize=$BATCH" --set "capillary.parallelRequests=$PARALLEL" >"$run/cli.log" 2>&1
    status=$?
    set -e
    b=$(app_cpu)
    [[ $status -eq 0 ]] || die "the pipeline run failed (exit $status); see $run/cli.log."
    grep -E '^(read|payload|capillary|success) |^Outcome|^Run CPU' "$run/cli.log" || true
    results+=("$n|$round|pipeline|$(run_seconds "$run/cli.log")|$(run_cpu "$run/cli.log")|$(minus "$b" "$a")|$(value "$run/measure.txt" peak_rss_mb)|$(sandbox_bills)")
    fi

    if wants host; then
    fresh_sandbox
    a=$(app_cpu); h=$(app_cpu "$HOST_APP")
    host_run "$dir/host.txt" "round-$round-bills.csv"
    b=$(app_cpu); g=$(app_cpu "$HOST_APP")
    head -n 1 "$dir/host.txt.log"
    peak=$(host_peak)
    results+=("$n|$round|host|$(value "$dir/host.txt" seconds)|$(minus "$g" "$h")|$(minus "$b" "$a")|$peak/+$((peak - HOST_BASE))|$(sandbox_bills)")
    fi

    if wants sink; then
    fresh_sandbox
    only="$dir/sink-only"
    rm -rf "$only"; mkdir -p "$only/input"; cp "$dir/payloads/payloads.csv" "$only/input/"
    a=$(app_cpu)
    "$BENCH" measure --report "$only/measure.txt" -- "${CLIENT_CPU[@]}" "$CLI" run --flow "$SINK_ONLY_FLOW" --quiet \
      --connections "$OUT/connections.json" --runs "$only/runs" --set "source.folder=$only/input" \
      --set "capillary.batchSize=$BATCH" --set "capillary.parallelRequests=$PARALLEL" >"$only/cli.log" 2>&1 \
      || die "the sink-only run failed; see $only/cli.log."
    b=$(app_cpu)
    results+=("$n|$round|sink|$(run_seconds "$only/cli.log")|$(run_cpu "$only/cli.log")|$(minus "$b" "$a")|$(value "$only/measure.txt" peak_rss_mb)|$(sandbox_bills)")
    fi
  done
done

say ""
say "== Per run. bills/s: plain loop timed from its first request; pipeline (the sample: read CSV, group, send,"
say "   success file) and sink (the pre-built payload file read and sent by the Capillary API block) by the run's own"
say "   time from the CLI summary (process start-up excluded); host: the same sample run by the engine host (a web host"
say "   that ran it before), triggered through the REST API, by the run's duration in its run record."
say "   % plain: of the plain loop of the same round."
say "   CPU in µs per bill: the client's (plain loop during its timed part; the CLI during the run, all threads; the"
say "   engine host's process from trigger to end) and the sandbox's (the app process over the same span)."
say "   peak: the CLI's peak RSS; for host, the engine host's peak RSS since it started / what it grew by over the RSS"
say "   it had before its first run ($HOST_BASE MB: the web host itself, its database and API) (MB = 2^20 bytes)."
printf '%-9s %5s %-9s %9s %8s %11s %12s %10s %s\n' "bills" "round" "what" "bills/s" "% plain" "client µs" "sandbox µs" "peak MB" "bills in sandbox"
LC_ALL=C awk -F'|' '
  { n=$1; round=$2; what=$3; secs=$4; cpu=$5; app=$6; peak=$7; got=$8
    rate = secs > 0 ? n / secs : 0
    if (what == "plain") plain[n, round] = rate
    share = plain[n, round] > 0 ? sprintf("%7.0f%%", 100 * rate / plain[n, round]) : "      -"
    client = cpu == "-" || cpu == "" ? "-" : sprintf("%.1f", cpu * 1e6 / n)
    printf "%-9d %5d %-9s %9.0f %8s %11s %12.1f %10s %s\n", n, round, what, rate, share, client, app * 1e6 / n, peak, got
    if (what != "plain" && plain[n, round] > 0) { k = n SUBSEP what; c = ++cnt[k]; share_of[k, c] = 100 * rate / plain[n, round]; if (!(k in seen)) { seen[k] = 1; order[++kinds] = k } }
  }
  END {
    # The median share of each kind of run over the rounds: one round says little on a box whose speed drifts.
    if (kinds > 0) print ""
    for (i = 1; i <= kinds; i++) {
      k = order[i]; c = cnt[k]; split(k, parts, SUBSEP)
      for (a = 1; a <= c; a++) v[a] = share_of[k, a]
      for (a = 2; a <= c; a++) { x = v[a]; for (b = a - 1; b >= 1 && v[b] > x; b--) v[b + 1] = v[b]; v[b + 1] = x }
      median = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
      line = ""; for (a = 1; a <= c; a++) line = line sprintf(" %.0f", share_of[k, a])
      printf "median %-9s %s bills: %3.0f%% of the plain loop over %d round(s) (%%:%s)\n", parts[2], parts[1], median, c, line
    }
  }' <<<"$(printf '%s\n' "${results[@]}")"
