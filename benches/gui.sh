#!/usr/bin/env bash
# GUI: time from launch to the first frame, idle CPU over 10 s, and peak RSS, under Xvfb with
# software GL (Mesa llvmpipe).
#
#   benches/gui.sh [RUNS]      (default 3; medians printed)
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
echo "# GUI under Xvfb, software GL ($RUNS runs, median)"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'launch to first frame: %s ms (runs: %s)\n' "$(printf '%s\n' "${first[@]}" | median)" "${first[*]}"
printf 'idle CPU over %s s:   %.1f ms of CPU per second (runs: %s)\n' "$IDLE_S" \
    "$(printf '%s\n' "${idle[@]}" | median)" "$(printf '%.1f ' "${idle[@]}")"
printf 'peak RSS:              %.1f MB\n' "$(echo "$(printf '%s\n' "${rss[@]}" | median) / 1024" | bc -l)"
