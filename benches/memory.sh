#!/usr/bin/env bash
# Peak RSS (and wall time) of `mailplan check` for one check, 256 concurrent checks, and a 100 MB flood.
#
#   benches/memory.sh [RUNS]     (default 3; the median of the runs is printed)
#
# Needs python3, GNU time (/usr/bin/time) and a release build (or MAILPLAN_BIN=path).
# Fake servers come from benches/fake_servers.py, on 127.0.0.1 only.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
RUNS="${1:-3}"
die() { echo "memory.sh: $*" >&2; exit 2; }
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"
BIN="${MAILPLAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/mailplan}"
[[ -x "$BIN" ]] || die "no release binary at $BIN (cargo build --release, or set MAILPLAN_BIN)"
WORK="$(mktemp -d)"
cp "$BIN" "$WORK/mailplan"
BIN="$WORK/mailplan"
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# Starts fake servers with the given arguments; fills TARGETS.
serve() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null
    python3 "$HERE/fake_servers.py" "$@" >"$WORK/targets" &
    SERVER_PID=$!
    for _ in $(seq 100); do grep -q '^ready$' "$WORK/targets" 2>/dev/null && break; sleep 0.1; done
    grep -q '^ready$' "$WORK/targets" || die "fake servers did not start"
    mapfile -t TARGETS < <(grep -v '^ready$' "$WORK/targets")
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Runs the CLI RUNS times; prints median peak RSS (MB) and median wall (s).
measure() {
    local label=$1; shift
    local rss=() wall=()
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%M %e' -o "$WORK/time" "$BIN" check --timeout 10 "$@" >"$WORK/out" 2>&1 || true
        read -r kb s < <(tail -1 "$WORK/time")   # GNU time adds a line when the status is not 0
        rss+=("$kb"); wall+=("$s")
    done
    local mkb ms
    mkb=$(printf '%s\n' "${rss[@]}" | median)
    ms=$(printf '%s\n' "${wall[@]}" | median)
    printf '%-36s %10.1f %10s\n' "$label" "$(echo "$mkb / 1024" | bc -l)" "$ms"
}

echo "# peak RSS of mailplan check ($RUNS runs each, median)"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %10s %10s\n' case "RSS MB" "wall s"
serve slow 1
measure "1 check (500 ms greeting)" "${TARGETS[@]}"
serve slow 256
measure "256 concurrent checks" "${TARGETS[@]}"
serve flood 100
measure "100 MB flood, no line end" "${TARGETS[@]}"
serve flood-lines 100
measure "100 MB flood of short lines" "${TARGETS[@]}"
echo "# last output (flood of lines):"
head -12 "$WORK/out" | sed 's/^/#   /'
