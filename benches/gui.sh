#!/usr/bin/env bash
# GUI: time from launch to the first frame, idle CPU over 10 s, and peak RSS, under Xvfb with
# software GL (Mesa llvmpipe).
#
#   benches/gui.sh [RUNS]      (default 3; medians printed)
#
# With the real test servers running (tests/servers/start.sh), also the peak RSS after a full
# diagnosis of their test domain from the Checks page.
#
# "First frame" is when the window becomes visible: eframe keeps a new window hidden until its first
# frame is painted, so mapping time is a close upper bound. Needs Xvfb and xdotool, and a release
# build (or MAILPLAN_BIN=path).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
RUNS="${1:-3}"
IDLE_S="${IDLE_S:-10}"
die() { echo "gui.sh: $*" >&2; exit 2; }
for t in Xvfb xdotool; do command -v "$t" >/dev/null || die "$t is not installed"; done
BIN="${MAILPLAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/mailplan}"
[[ -x "$BIN" ]] || die "no release binary at $BIN (cargo build --release, or set MAILPLAN_BIN)"
WORK="$(mktemp -d)"
cp "$BIN" "$WORK/mailplan"
BIN="$WORK/mailplan"
XPID="" APID=""
cleanup() {
    [[ -n "$APID" ]] && kill "$APID" 2>/dev/null
    [[ -n "$XPID" ]] && kill "$XPID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

d=99; while [[ -e /tmp/.X$d-lock || -e /tmp/.X11-unix/X$d ]]; do d=$((d+1)); done
Xvfb ":$d" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$d ]] && break; sleep 0.1; done
export DISPLAY=":$d" LIBGL_ALWAYS_SOFTWARE=1 WAYLAND_DISPLAY=
export XDG_RUNTIME_DIR="$WORK/xdg" HOME="$WORK/home"   # fresh app state, nothing written to the real home
mkdir -m 700 -p "$XDG_RUNTIME_DIR" "$HOME"
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

first=() idle=() rss=()
for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    "$BIN" >"$WORK/app.log" 2>&1 &
    APID=$!
    xdotool search --sync --onlyvisible --name '^mailplan' >/dev/null
    t1=$(date +%s%N)
    first+=($(( (t1 - t0) / 1000000 )))
    sleep 3                                  # let start-up work settle
    c0=$(cpu_ticks "$APID"); s0=$(date +%s%N)
    sleep "$IDLE_S"
    c1=$(cpu_ticks "$APID"); s1=$(date +%s%N)
    idle+=("$(echo "($c1 - $c0) / $TICK * 1000 / (($s1 - $s0) / 1000000000)" | bc -l)")
    rss+=("$(awk '/VmHWM/ {print $2}' "/proc/$APID/status")")
    kill "$APID"; wait "$APID" 2>/dev/null || true
    APID=""
done
# Peak RSS after a full diagnosis: the app starts on the Checks page with a saved state that points at
# the real test servers (tests/servers/start.sh), Diagnose is clicked, and the peak is read once the
# results are on screen. Skipped when the servers' env file is missing.
ENV_FILE="${MAILPLAN_TEST_ENV:-$ROOT/tests/servers/run/env}"
diag_rss=() diag_shot=""
if [[ -f "$ENV_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    mkdir -p "$HOME/.local/share/mailplan"
    python3 - "$HOME/.local/share/mailplan/app.ron" "$MAILPLAN_TEST_DOMAIN" "$MAILPLAN_TEST_DNS" "$MAILPLAN_TEST_CA" <<'PY'
import json, sys
path, domain, dns, ca = sys.argv[1:]
state = '(page: Checks, checks: (address: %s, dns_server: %s, ca_file: %s, timeout_secs: 10))' % (
    json.dumps("alice@" + domain), json.dumps(dns), json.dumps(ca))
open(path, "w").write('{"app": %s}' % json.dumps(state))
PY
    for _ in $(seq "$RUNS"); do
        cp "$HOME/.local/share/mailplan/app.ron" "$WORK/state.ron"
        "$BIN" >"$WORK/app.log" 2>&1 &
        APID=$!
        wid=$(xdotool search --sync --onlyvisible --name '^mailplan' | head -n1)
        sleep 2                              # the first frames lay the page out
        # The Diagnose button, right of the address field (1280x800 window, Checks page).
        xdotool mousemove --window "$wid" 712 144 click 1
        sleep "${DIAG_SETTLE_S:-8}"          # the checks end within their 10 s deadline; loopback needs < 1 s
        diag_rss+=("$(awk '/VmHWM/ {print $2}' "/proc/$APID/status")")
        if command -v import >/dev/null; then
            diag_shot="$ROOT/target/gui-after-diagnosis.png"
            mkdir -p "$(dirname "$diag_shot")"
            import -window root "$diag_shot" 2>/dev/null || diag_shot=""
        fi
        kill "$APID"; wait "$APID" 2>/dev/null || true
        APID=""
        cp "$WORK/state.ron" "$HOME/.local/share/mailplan/app.ron"   # the next run starts the same way
    done
fi

echo "# GUI under Xvfb, software GL ($RUNS runs, median)"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'launch to first frame: %s ms (runs: %s)\n' "$(printf '%s\n' "${first[@]}" | median)" "${first[*]}"
printf 'idle CPU over %s s:   %.1f ms of CPU per second (runs: %s)\n' "$IDLE_S" \
    "$(printf '%s\n' "${idle[@]}" | median)" "$(printf '%.1f ' "${idle[@]}")"
printf 'peak RSS:              %.1f MB\n' "$(echo "$(printf '%s\n' "${rss[@]}" | median) / 1024" | bc -l)"
if [[ ${#diag_rss[@]} -gt 0 ]]; then
    printf 'peak RSS after a full diagnosis of %s: %.1f MB (runs: %s KB)\n' "$MAILPLAN_TEST_DOMAIN" \
        "$(echo "$(printf '%s\n' "${diag_rss[@]}" | median) / 1024" | bc -l)" "${diag_rss[*]}"
    [[ -n "$diag_shot" ]] && echo "screenshot of the last diagnosis: $diag_shot"
else
    echo "peak RSS after a full diagnosis: skipped (no $ENV_FILE: start tests/servers/start.sh first)"
fi
