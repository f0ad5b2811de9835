#!/usr/bin/env bash
# Installs the Debian packages the real-server suite needs (as root), plus any packages given as arguments:
#   tests/servers/install.sh [EXTRA-PACKAGE...]
# Postfix's debconf question is answered first ("No configuration": start.sh writes its own). The packages'
# own system services are kept from starting during the install; start.sh runs private instances instead.
set -euo pipefail
say() { printf '[install] %s\n' "$*"; }
[[ $EUID -eq 0 ]] || {
    echo "[install] run as root" >&2
    exit 1
}
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(dovecot-imapd dovecot-pop3d postfix unbound swaks bind9-dnsutils openssl ca-certificates "$@")

echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

# Keep services from starting during the install when nothing else does (restored afterwards).
POLICY=/usr/sbin/policy-rc.d
made_policy=no
if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    made_policy=yes
fi
cleanup() { [[ $made_policy == no ]] || rm -f "$POLICY"; }
trap cleanup EXIT

say "apt-get update"
apt-get update -q
say "installing: ${PACKAGES[*]}"
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
say "done"
