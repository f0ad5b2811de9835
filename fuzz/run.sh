#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60). Needs cargo-fuzz; on a stable
# toolchain RUSTC_BOOTSTRAP=1 lets it use the nightly-only sanitizer flags.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
secs="${1:-60}"
[ $# -gt 0 ] && shift
targets="$*"
if [ -z "$targets" ]; then
    targets="$(cargo fuzz list)"
fi
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
mkdir -p logs
# Build once up front, so the build's output is not mixed into the first target's log.
cargo fuzz build --sanitizer none
status=0
for t in $targets; do
    mkdir -p "corpus/$t"
    if [ -d "seeds/$t" ]; then
        cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    fi
    # The shipped data files are the loaders' seeds.
    case "$t" in
        scenario_file) cp -n ../scenarios/*.ron "corpus/$t/" ;;
        price_book) cp -n ../scenarios/prices/*.ron "corpus/$t/" ;;
        plan_file) cp -n ../scenarios/examples/*.ron "corpus/$t/" ;;
        provider_table) cp -n ../scenarios/providers/*.ron "corpus/$t/" ;;
    esac
    echo "== $t for ${secs}s (libFuzzer's output: fuzz/logs/$t.log)"
    if cargo fuzz run --sanitizer none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 >"logs/$t.log" 2>&1; then
        grep -E '^(#[0-9]+[[:space:]]+DONE|Done )' "logs/$t.log" || tail -n 2 "logs/$t.log"
    else
        tail -n 40 "logs/$t.log"
        echo "!! $t found a problem: see fuzz/artifacts/$t and fuzz/logs/$t.log" >&2
        status=1
    fi
done
exit $status
