#!/usr/bin/env bash
# Stops the real-server test suite started by tests/servers/start.sh: only the processes whose PIDs it
# recorded (each checked against its program name first), then removes its files. Idempotent.
#   --quiet      say nothing when there is nothing to stop
#   --keep-logs  leave the server directory (logs, config) in place for a post-mortem
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$HERE/run"
quiet=no
keep=no
for a in "$@"; do
    case $a in
    --quiet) quiet=yes ;;
    --keep-logs) keep=yes ;;
    *)
        echo "usage: $0 [--quiet] [--keep-logs]" >&2
        exit 2
        ;;
    esac
done
say() { printf '[servers] %s\n' "$*"; }

if [[ ! -f "$RUN/pids" && ! -f "$RUN/dir" ]]; then
    [[ $quiet == yes ]] || say "nothing to stop"
    rm -f "$RUN/env"
    exit 0
fi

# The program each recorded name must be, so a reused PID is never killed.
expected_exe() {
    case $1 in
    postfix) echo master ;;
    dovecot | dovecot-expired) echo dovecot ;;
    unbound) echo unbound ;;
    *) echo "" ;;
    esac
}

pids=()
if [[ -f "$RUN/pids" ]]; then
    while read -r name pid; do
        [[ -n ${pid:-} ]] || continue
        want=$(expected_exe "$name")
        exe=$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null || true)")
        if [[ -n $want && $exe == "$want" ]]; then
            say "stopping $name (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        else
            [[ $quiet == yes ]] || say "$name (pid $pid) is not running"
        fi
    done <"$RUN/pids"
fi
for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pid $pid did not stop in 10 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
done

dir=""
[[ -f "$RUN/dir" ]] && dir=$(cat "$RUN/dir")
if [[ -n $dir && -d $dir && $dir == /tmp/mailplan-servers.* ]]; then
    if [[ $keep == yes ]]; then
        say "server files kept in $dir"
    else
        rm -rf "$dir"
    fi
fi
rm -f "$RUN/pids" "$RUN/env" "$RUN/dir"
[[ $quiet == yes && ${#pids[@]} -eq 0 ]] || say "stopped"
