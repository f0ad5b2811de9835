#!/usr/bin/env bash
# `mailplan diagnose mailplan.test` against the sequence a helpdesk would type by hand
# (dig for MX and SRV, openssl s_client for each POP3/IMAP TLS port, swaks for each SMTP port, one after
# the other), on loopback and through a relay that adds a 40 ms round trip. Prints medians and ratios.
#
#   benches/compare.sh [RUNS]          (default 5 runs of each, interleaved)
#
# Needs: the real test servers (tests/servers/start.sh; their env file is found in this worktree's
# tests/servers/run/env, or give MAILPLAN_TEST_ENV=FILE), dig, openssl, swaks, python3, unbound, and a
# release build (cargo build --release; or MAILPLAN_BIN=path). Everything stays on 127.0.0.0/8.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
RUNS="${1:-5}"
DELAY_MS="${DELAY_MS:-20}"    # one way; the round trip is twice this
PROXY_HOST=127.0.0.2
PRIVATE_DNS_PORT="${PRIVATE_DNS_PORT:-25353}"

die() { echo "compare.sh: $*" >&2; exit 2; }
for tool in dig openssl swaks python3 unbound; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done

# --- the test servers -----------------------------------------------------------------------------------
ENV_FILE="${MAILPLAN_TEST_ENV:-$ROOT/tests/servers/run/env}"
[[ -f "$ENV_FILE" ]] || die "no env file at $ENV_FILE: start the servers (tests/servers/start.sh) or set MAILPLAN_TEST_ENV"
# shellcheck disable=SC1090
source "$ENV_FILE"
CA="$MAILPLAN_TEST_CA"
DNS="$MAILPLAN_TEST_DNS"
port_of() { echo "${1##*:}"; }
P_IMAPS=$(port_of "$MAILPLAN_TEST_IMAPS"); P_IMAP=$(port_of "$MAILPLAN_TEST_IMAP")
P_POP3S=$(port_of "$MAILPLAN_TEST_POP3S"); P_POP3=$(port_of "$MAILPLAN_TEST_POP3")
P_SMTPS=$(port_of "$MAILPLAN_TEST_SMTPS"); P_SUB=$(port_of "$MAILPLAN_TEST_SUBMISSION")
P_DNS=$(port_of "$DNS")

# --- the binary, copied so a concurrent build cannot swap it mid-run -------------------------------------
BIN="${MAILPLAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/mailplan}"
[[ -x "$BIN" ]] || die "no release binary at $BIN (cargo build --release, or set MAILPLAN_BIN)"
WORK="$(mktemp -d)"
cp "$BIN" "$WORK/mailplan"
BIN="$WORK/mailplan"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- the delayed setting: a private Unbound whose mailplan.test points at the relay address -------------
cat >"$WORK/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $PRIVATE_DNS_PORT
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  logfile: "$WORK/unbound.log"
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "." static
  local-zone: "mailplan.test." static
  local-data: "mailplan.test. 300 IN MX 10 mail.mailplan.test."
  local-data: "mailplan.test. 300 IN A $PROXY_HOST"
  local-data: "mail.mailplan.test. 300 IN A $PROXY_HOST"
  local-data: 'mailplan.test. 300 IN TXT "v=spf1 ip4:127.0.0.1 -all"'
  local-data: '_dmarc.mailplan.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mailplan.test"'
  local-data: '_mta-sts.mailplan.test. 300 IN TXT "v=STSv1; id=20240101000000"'
  local-data: '_smtp._tls.mailplan.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@mailplan.test"'
  local-data: "_imaps._tcp.mailplan.test. 300 IN SRV 0 1 $P_IMAPS mail.mailplan.test."
  local-data: "_imap._tcp.mailplan.test. 300 IN SRV 10 1 $P_IMAP mail.mailplan.test."
  local-data: "_pop3s._tcp.mailplan.test. 300 IN SRV 20 1 $P_POP3S mail.mailplan.test."
  local-data: "_pop3._tcp.mailplan.test. 300 IN SRV 30 1 $P_POP3 mail.mailplan.test."
  local-data: "_submissions._tcp.mailplan.test. 300 IN SRV 0 1 $P_SMTPS mail.mailplan.test."
  local-data: "_submission._tcp.mailplan.test. 300 IN SRV 10 1 $P_SUB mail.mailplan.test."
EOF
unbound -d -c "$WORK/unbound.conf" >"$WORK/unbound.out" 2>&1 &
PIDS+=($!)
relay_args=(--delay-ms "$DELAY_MS" --listen-host "$PROXY_HOST" --upstream-host 127.0.0.1
            --udp "$P_DNS=$PRIVATE_DNS_PORT" --tcp "$P_DNS=$PRIVATE_DNS_PORT")
for p in "$P_IMAPS" "$P_IMAP" "$P_POP3S" "$P_POP3" "$P_SMTPS" "$P_SUB"; do relay_args+=(--tcp "$p"); done
python3 "$HERE/delay_proxy.py" "${relay_args[@]}" >"$WORK/proxy.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
    if dig +short +time=1 +tries=1 @"$PROXY_HOST" -p "$P_DNS" mail.mailplan.test A 2>/dev/null | grep -q "$PROXY_HOST"; then
        break
    fi
    sleep 0.1
done
dig +short +time=1 +tries=1 @"$PROXY_HOST" -p "$P_DNS" mail.mailplan.test A | grep -q "$PROXY_HOST" \
    || die "the relay or the private Unbound did not come up: $(cat "$WORK/unbound.out" "$WORK/proxy.out")"

# --- the two ways of doing the work -------------------------------------------------------------------
# $1 = address the servers are reached at (127.0.0.1 or the relay)
mailplan_way() {
    "$BIN" diagnose mailplan.test --dns "$1:$P_DNS" --ca-file "$CA" --timeout 10 >"$WORK/diagnose.out" 2>&1 || true
}
helpdesk_way() {
    local h=$1
    dig +time=5 +tries=1 @"$h" -p "$P_DNS" mailplan.test MX >/dev/null
    for s in _imaps _imap _pop3s _pop3 _submissions _submission; do
        dig +time=5 +tries=1 @"$h" -p "$P_DNS" "$s._tcp.mailplan.test" SRV >/dev/null
    done
    dig +time=5 +tries=1 @"$h" -p "$P_DNS" mail.mailplan.test A >/dev/null
    local o=(-brief -servername mail.mailplan.test -CAfile "$CA" -verify_return_error)
    openssl s_client "${o[@]}" -connect "$h:$P_IMAPS" </dev/null >/dev/null 2>&1 || true
    openssl s_client "${o[@]}" -starttls imap -connect "$h:$P_IMAP" </dev/null >/dev/null 2>&1 || true
    openssl s_client "${o[@]}" -connect "$h:$P_POP3S" </dev/null >/dev/null 2>&1 || true
    openssl s_client "${o[@]}" -starttls pop3 -connect "$h:$P_POP3" </dev/null >/dev/null 2>&1 || true
    swaks --server "$h" --port 25 --quit-after EHLO --timeout 10 >/dev/null 2>&1 || true
    swaks --server "$h" --port "$P_SUB" --tls --quit-after EHLO --timeout 10 >/dev/null 2>&1 || true
    swaks --server "$h" --port "$P_SMTPS" --tlsc --quit-after EHLO --timeout 10 >/dev/null 2>&1 || true
}

ms_now() { date +%s%N; }
timed() { local t0 t1; t0=$(ms_now); "$@"; t1=$(ms_now); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "# mailplan diagnose vs the helpdesk sequence ($RUNS runs each, interleaved)"
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %14s %14s %8s\n' setting "mailplan ms" "helpdesk ms" ratio
for setting in loopback "relay ${DELAY_MS}ms+${DELAY_MS}ms"; do
    if [[ $setting == loopback ]]; then h=127.0.0.1; else h=$PROXY_HOST; fi
    # Warm-up (page cache, Dovecot auth processes), and a check that the diagnosis really ran.
    rc=0; "$BIN" diagnose mailplan.test --dns "$h:$P_DNS" --ca-file "$CA" --timeout 10 >"$WORK/diagnose.out" 2>&1 || rc=$?
    [[ $rc -le 1 ]] && grep -q "$P_IMAPS" "$WORK/diagnose.out" \
        || die "the diagnosis did not run (status $rc): $(head -5 "$WORK/diagnose.out")"
    helpdesk_way "$h"
    a=(); b=()
    for _ in $(seq "$RUNS"); do
        a+=("$(timed mailplan_way "$h")")
        b+=("$(timed helpdesk_way "$h")")
    done
    ma=$(printf '%s\n' "${a[@]}" | median)
    mb=$(printf '%s\n' "${b[@]}" | median)
    printf '%-28s %14s %14s %7.1fx\n' "$setting" "$ma" "$mb" "$(echo "$mb / $ma" | bc -l)"
    echo "    mailplan runs: ${a[*]}; helpdesk runs: ${b[*]}"
done
echo "# ratio = helpdesk / mailplan (above 1: mailplan is faster). Last diagnosis:"
head -40 "$WORK/diagnose.out" | sed 's/^/#   /'
