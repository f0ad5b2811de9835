#!/usr/bin/env bash
# Starts the real-server test suite on 127.0.0.1 only: a test CA, Dovecot (POP3/IMAP, plain+STARTTLS and
# implicit TLS), a second Dovecot with an expired certificate, Postfix (SMTP, submission, implicit TLS; it can
# never deliver mail) and Unbound serving the test zones. Writes every port and path to tests/servers/run/env.
#
# Run as root. Idempotent: when the servers are already up it says so and returns; a half-started set is
# stopped first. Stop with tests/servers/stop.sh. The packages come from tests/servers/install.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$HERE/run"
# shellcheck source=ports.sh
source "$HERE/ports.sh"

say() { printf '[servers] %s\n' "$*"; }
die() {
    printf '[servers] ERROR: %s\n' "$*" >&2
    exit 1
}

[[ $EUID -eq 0 ]] || die "run as root (Dovecot and Postfix need to switch users)"
for cmd in openssl dovecot postconf unbound; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is missing: run tests/servers/install.sh first"
done
for u in dovecot dovenull postfix mail; do
    id "$u" >/dev/null 2>&1 || die "system user '$u' is missing: run tests/servers/install.sh first"
done

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/$MP_HOST/$1") 2>/dev/null; }

ALL_PORTS=("$MP_DNS_PORT" "$MP_POP3_PORT" "$MP_POP3S_PORT" "$MP_IMAP_PORT" "$MP_IMAPS_PORT"
    "$MP_IMAPS_EXPIRED_PORT" "$MP_SMTP_PORT" "$MP_SUBMISSION_PORT" "$MP_SMTPS_PORT" "$MP_SMTPS_WRONG_NAME_PORT")

# --- already running? ------------------------------------------------------------------------------------
if [[ -f "$RUN/pids" && -f "$RUN/env" ]]; then
    up=yes
    while read -r _name pid; do
        kill -0 "$pid" 2>/dev/null || up=no
    done <"$RUN/pids"
    for p in "${ALL_PORTS[@]}"; do port_open "$p" || up=no; done
    if [[ $up == yes ]]; then
        say "already running; environment in $RUN/env"
        exit 0
    fi
    say "a previous start is incomplete: stopping it first"
fi
"$HERE/stop.sh" --quiet

for p in "${ALL_PORTS[@]}"; do
    port_open "$p" && die "port $p on $MP_HOST is already in use by another program; stop it first"
done

# --- run directory -----------------------------------------------------------------------------------------
# The servers' files live in a short /tmp path: Unix socket paths are limited to 108 bytes, and the mail
# processes (uid mail) must be able to reach them whatever the permissions of the checkout's parents.
mkdir -p "$RUN"
D=$(mktemp -d /tmp/mailplan-servers.XXXXXX)
chmod 755 "$D"
echo "$D" >"$RUN/dir"
: >"$RUN/pids"
mkdir -p "$D/certs" "$D/logs" "$D/dovecot" "$D/dovecot-expired" "$D/mail" "$D/unbound" \
    "$D/postfix/etc" "$D/postfix/data"

on_failure() {
    local rc=$?
    [[ $rc -ne 0 ]] || return 0
    printf '[servers] start failed (exit %s). Logs:\n' "$rc" >&2
    for f in "$D"/logs/*; do
        [[ -s $f ]] || continue
        # openssl's log matters only when the certificates were not all made.
        [[ $f == */openssl.log && -s $D/certs/expired.pem ]] && continue
        printf '\n----- %s (last 40 lines) -----\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
    "$HERE/stop.sh" --quiet --keep-logs || true
    exit "$rc"
}
trap on_failure EXIT

# --- certificates ------------------------------------------------------------------------------------------
say "making a test CA and certificates in $D/certs"
C="$D/certs"
(
    cd "$C"
    exec 2>>"$D/logs/openssl.log" >>"$D/logs/openssl.log"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=mailplan tests/CN=mailplan test CA" \
        -keyout ca.key -out ca.pem \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

    leaf_ext() { # $1 = subjectAltName value
        printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n'
        printf 'extendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$1"
    }
    GOOD_SAN="DNS:localhost,IP:127.0.0.1,DNS:mail.mailplan.test"

    # The good leaf, valid now.
    openssl req -newkey rsa:2048 -nodes -subj "/O=mailplan tests/CN=mail.mailplan.test" \
        -keyout server.key -out server.csr
    leaf_ext "$GOOD_SAN" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
        -extfile server.ext -out server.pem

    # A leaf for another name only.
    openssl req -newkey rsa:2048 -nodes -subj "/O=mailplan tests/CN=wrong-name.example.invalid" \
        -keyout wrong-name.key -out wrong-name.csr
    leaf_ext "DNS:wrong-name.example.invalid" >wrong-name.ext
    openssl x509 -req -in wrong-name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
        -extfile wrong-name.ext -out wrong-name.pem

    # An expired leaf (right names, valid 2020-2021). `openssl x509 -req` cannot backdate; `openssl ca` can.
    mkdir -p ca-db
    : >ca-db/index.txt
    echo 1000 >ca-db/serial
    cat >ca.cnf <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $C/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $C/ca.pem
private_key = $C/ca.key
default_md = sha256
policy = any_policy
copy_extensions = none
unique_subject = no
[ any_policy ]
organizationName = optional
commonName = supplied
[ expired_ext ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $GOOD_SAN
EOF
    openssl req -newkey rsa:2048 -nodes -subj "/O=mailplan tests/CN=mail.mailplan.test" \
        -keyout expired.key -out expired.csr
    openssl ca -batch -config ca.cnf -extensions expired_ext -notext \
        -startdate 20200101000000Z -enddate 20210101000000Z -in expired.csr -out expired.pem
)
chmod 644 "$C"/*.pem
chmod 600 "$C"/*.key

# --- mailboxes ---------------------------------------------------------------------------------------------
say "making mailboxes for $MP_USER and $MP_TRICKY_USER"
make_maildir() { # $1 user
    mkdir -p "$D/mail/$1/Maildir/"{cur,new,tmp}
}
make_maildir "$MP_USER"
make_maildir "$MP_TRICKY_USER"
# alice: an older normal message, then the newest one without a Date: header (what --inspect-latest reports).
cat >"$D/mail/$MP_USER/Maildir/cur/1600000000.M1P1.mailplan:2,S" <<'EOF'
Received: from sender.example (sender.example [192.0.2.10])
	by mail.mailplan.test with ESMTP id A1; Sun, 13 Sep 2020 12:26:40 +0000
From: Sender <sender@mailplan.test>
To: Alice <alice@mailplan.test>
Subject: A normal message
Date: Sun, 13 Sep 2020 12:26:30 +0000
Message-ID: <normal-1@mailplan.test>

This message has a Date: header.
EOF
cat >"$D/mail/$MP_USER/Maildir/cur/1700000000.M2P2.mailplan:2," <<'EOF'
Received: from sender.example (sender.example [192.0.2.10])
	by mail.mailplan.test with ESMTP id A2; Tue, 14 Nov 2023 22:13:20 +0000
From: Sender <sender@mailplan.test>
To: Alice <alice@mailplan.test>
Subject: A message without a Date header
Message-ID: <no-date-2@mailplan.test>

This message has no Date: header, so some clients show when it was downloaded instead.
EOF
# bob: one normal message.
cat >"$D/mail/$MP_TRICKY_USER/Maildir/cur/1650000000.M3P3.mailplan:2," <<'EOF'
Received: from sender.example (sender.example [192.0.2.10])
	by mail.mailplan.test with ESMTP id B1; Fri, 15 Apr 2022 05:20:00 +0000
From: Sender <sender@mailplan.test>
To: Bob <bob@mailplan.test>
Subject: Hello Bob
Date: Fri, 15 Apr 2022 05:19:58 +0000
Message-ID: <normal-3@mailplan.test>

A normal message.
EOF
chown -R mail:mail "$D/mail"

# passwd-file: user:{PLAIN}password:uid:gid::home. Fields are split on ':' only, so the tricky password is
# stored as is.
{
    printf '%s:{PLAIN}%s:8:8::%s\n' "$MP_USER" "$MP_PASSWORD" "$D/mail/$MP_USER"
    printf '%s:{PLAIN}%s:8:8::%s\n' "$MP_TRICKY_USER" "$MP_TRICKY_PASSWORD" "$D/mail/$MP_TRICKY_USER"
} >"$D/dovecot/users"
chown root:dovecot "$D/dovecot/users"
chmod 640 "$D/dovecot/users"

# --- Postfix -----------------------------------------------------------------------------------------------
# Postfix first: Dovecot puts its SASL socket into Postfix's private/ directory.
PF="$D/postfix"
PFQ="$PF/spool"
NEVER="error:5.7.1 the mailplan test server never delivers mail"
cat >"$PF/etc/main.cf" <<EOF
# mailplan test Postfix: 127.0.0.1 only, never delivers anything.
compatibility_level = 3.6
queue_directory = $PFQ
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.mailplan.test
mydomain = mailplan.test
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
default_transport = $NEVER
relay_transport = $NEVER
local_transport = $NEVER
virtual_transport = $NEVER
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
smtpd_banner = \$myhostname ESMTP mailplan test server
smtpd_tls_chain_files = $C/server.key, $C/server.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
maillog_file = $D/logs/postfix.log
maillog_file_prefixes = /var, /dev/stdout, /tmp/mailplan-servers.
biff = no
EOF
SUBM_OPTS="-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
cat >"$PF/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
$MP_HOST:$MP_SMTP_PORT inet n - n - - smtpd
$MP_HOST:$MP_SUBMISSION_PORT inet n - n - - smtpd -o smtpd_tls_security_level=encrypt $SUBM_OPTS
$MP_HOST:$MP_SMTPS_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes $SUBM_OPTS
$MP_HOST:$MP_SMTPS_WRONG_NAME_PORT inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_chain_files=$C/wrong-name.key,$C/wrong-name.pem
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
chown postfix "$PF/data"
mkdir -p "$PFQ"
# Postfix refuses an alternate config directory unless the default main.cf lists it; `master` is run
# directly so that no system file changes. Queue directories are made by post-install.
say "setting up Postfix queue in $PFQ"
/usr/lib/postfix/sbin/post-install config_directory="$PF/etc" queue_directory="$PFQ" \
    data_directory="$PF/data" command_directory=/usr/sbin daemon_directory=/usr/lib/postfix/sbin \
    meta_directory=/etc/postfix mail_owner=postfix setgid_group=postdrop create-missing \
    >>"$D/logs/postfix-setup.log" 2>&1
say "starting Postfix"
/usr/lib/postfix/sbin/master -c "$PF/etc" -d >>"$D/logs/postfix-master.log" 2>&1 &
echo "postfix $!" >>"$RUN/pids"

# --- Dovecot -----------------------------------------------------------------------------------------------
DH=""
[[ -f /usr/share/dovecot/dh.pem ]] && DH="ssl_dh = </usr/share/dovecot/dh.pem"

dovecot_common() { # $1 instance dir, $2 cert base name
    cat <<EOF
instance_name = mailplan-test-$(basename "$1")
base_dir = $1/base
state_dir = $1/state
listen = $MP_HOST
log_path = $D/logs/$(basename "$1").log
auth_verbose = yes
auth_mechanisms = plain login
disable_plaintext_auth = yes
ssl = yes
ssl_cert = <$C/$2.pem
ssl_key = <$C/$2.key
ssl_min_protocol = TLSv1.2
$DH
mail_location = maildir:~/Maildir
first_valid_uid = 8
last_valid_uid = 8
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/dovecot/users
}
userdb {
  driver = passwd-file
  args = $D/dovecot/users
}
pop3_uidl_format = %08Xu%08Xv
EOF
}
{
    dovecot_common "$D/dovecot" server
    cat <<EOF
protocols = imap pop3
service imap-login {
  inet_listener imap {
    address = $MP_HOST
    port = $MP_IMAP_PORT
  }
  inet_listener imaps {
    address = $MP_HOST
    port = $MP_IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = $MP_HOST
    port = $MP_POP3_PORT
  }
  inet_listener pop3s {
    address = $MP_HOST
    port = $MP_POP3S_PORT
    ssl = yes
  }
}
service auth {
  unix_listener $PFQ/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
} >"$D/dovecot/dovecot.conf"
{
    dovecot_common "$D/dovecot-expired" expired
    cat <<EOF
protocols = imap
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = $MP_HOST
    port = $MP_IMAPS_EXPIRED_PORT
    ssl = yes
  }
}
EOF
} >"$D/dovecot-expired/dovecot.conf"

for inst in dovecot dovecot-expired; do
    say "starting Dovecot ($inst)"
    mkdir -p "$D/$inst/base" "$D/$inst/state"
    dovecot -c "$D/$inst/dovecot.conf" -F >>"$D/logs/$inst-stderr.log" 2>&1 &
    echo "$inst $!" >>"$RUN/pids"
done

# --- Unbound -----------------------------------------------------------------------------------------------
say "starting Unbound on $MP_HOST:$MP_DNS_PORT"
U="$D/unbound"
T="mail.mailplan.test."
{
    cat <<EOF
server:
  interface: $MP_HOST
  port: $MP_DNS_PORT
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$U"
  pidfile: ""
  use-syslog: no
  logfile: "$D/logs/unbound.log"
  verbosity: 1
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  # Every name outside the test zones is NXDOMAIN: no query ever leaves this machine.
  local-zone: "." static

  local-zone: "mailplan.test." static
  local-data: "mailplan.test. 300 IN MX 10 $T"
  local-data: "mailplan.test. 300 IN A 127.0.0.1"
  local-data: "$T 300 IN A 127.0.0.1"
  local-data: 'mailplan.test. 300 IN TXT "v=spf1 ip4:127.0.0.1 -all"'
  local-data: '_dmarc.mailplan.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mailplan.test"'
  local-data: '_mta-sts.mailplan.test. 300 IN TXT "v=STSv1; id=20240101000000"'
  local-data: '_smtp._tls.mailplan.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@mailplan.test"'
  local-data: "_imaps._tcp.mailplan.test. 300 IN SRV 0 1 $MP_IMAPS_PORT $T"
  local-data: "_imap._tcp.mailplan.test. 300 IN SRV 10 1 $MP_IMAP_PORT $T"
  local-data: "_pop3s._tcp.mailplan.test. 300 IN SRV 20 1 $MP_POP3S_PORT $T"
  local-data: "_pop3._tcp.mailplan.test. 300 IN SRV 30 1 $MP_POP3_PORT $T"
  local-data: "_submissions._tcp.mailplan.test. 300 IN SRV 0 1 $MP_SMTPS_PORT $T"
  local-data: "_submission._tcp.mailplan.test. 300 IN SRV 10 1 $MP_SUBMISSION_PORT $T"

  # SRV discovery where POP3 is explicitly "not offered" (target "."), IMAPS is offered.
  local-zone: "notoffered.test." static
  local-data: "notoffered.test. 300 IN MX 10 $T"
  local-data: "_imaps._tcp.notoffered.test. 300 IN SRV 0 1 $MP_IMAPS_PORT $T"
  local-data: "_pop3._tcp.notoffered.test. 300 IN SRV 0 0 0 ."
  local-data: "_pop3s._tcp.notoffered.test. 300 IN SRV 0 0 0 ."

  # RFC 7505 null MX.
  local-zone: "nullmx.test." static
  local-data: "nullmx.test. 300 IN MX 0 ."
  local-data: "nullmx.test. 300 IN A 127.0.0.1"

  # No MX: mail goes to the A record (RFC 5321 5.1).
  local-zone: "implicit.test." static
  local-data: "implicit.test. 300 IN A 127.0.0.1"

  # MX target is a CNAME (RFC 2181 10.3).
  local-zone: "cname.test." static
  local-data: "cname.test. 300 IN MX 10 mx.cname.test."
  local-data: "mx.cname.test. 300 IN CNAME host.cname.test."
  local-data: "host.cname.test. 300 IN A 127.0.0.1"

  # MX target with no address.
  local-zone: "dangling.test." static
  local-data: "dangling.test. 300 IN MX 10 nowhere.dangling.test."
  local-data: "dangling.test. 300 IN TXT \"v=spf1 -all\""

  # MX target written as an IP address.
  local-zone: "ipliteral.test." static
  local-data: "ipliteral.test. 300 IN MX 10 127.0.0.1."

  # Two providers: dual delivery / split. The provider host names do not resolve here (offline).
  local-zone: "split.test." static
  local-data: "split.test. 300 IN MX 10 aspmx.l.google.com."
  local-data: "split.test. 300 IN MX 20 split-test.mail.protection.outlook.com."

  # One well-known provider (offline: host names only).
  local-zone: "hosted.test." static
  local-data: "hosted.test. 300 IN MX 1 aspmx.l.google.com."
  local-data: "hosted.test. 300 IN MX 5 alt1.aspmx.l.google.com."
  local-data: 'hosted.test. 300 IN TXT "v=spf1 include:_spf.google.com ~all"'

  # Internationalised name: bücher.test.
  local-zone: "xn--bcher-kva.test." static
  local-data: "xn--bcher-kva.test. 300 IN MX 10 $T"
  local-data: 'xn--bcher-kva.test. 300 IN TXT "v=spf1 mx -all"'

  # Two SPF records (a fault) and a DMARC policy of none.
  local-zone: "badspf.test." static
  local-data: "badspf.test. 300 IN MX 10 $T"
  local-data: 'badspf.test. 300 IN TXT "v=spf1 mx -all"'
  local-data: 'badspf.test. 300 IN TXT "v=spf1 +all"'
  local-data: '_dmarc.badspf.test. 300 IN TXT "v=DMARC1; p=none"'

  # Always NXDOMAIN (so is every other name).
  local-zone: "nxdomain.test." always_nxdomain
EOF
} >"$U/unbound.conf"
unbound-checkconf "$U/unbound.conf" >>"$D/logs/unbound-stderr.log" 2>&1
unbound -d -c "$U/unbound.conf" >>"$D/logs/unbound-stderr.log" 2>&1 &
echo "unbound $!" >>"$RUN/pids"

# --- wait for every port -----------------------------------------------------------------------------------
# A server that exited already fails the start at once, with its logs.
check_alive() {
    local name pid
    while read -r name pid; do
        kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) exited during start-up"
    done <"$RUN/pids"
}
for p in "${ALL_PORTS[@]}"; do
    for _ in $(seq 1 150); do
        port_open "$p" && break
        check_alive
        sleep 0.2
    done
    port_open "$p" || die "nothing answers on $MP_HOST:$p after 30 s"
done

# --- environment file --------------------------------------------------------------------------------------
# KEY=VALUE lines; a value with shell-special characters is in single quotes. Source it from a shell, or
# read it as tests/real_servers/real_servers.rs does.
cat >"$RUN/env.tmp" <<EOF
MAILPLAN_TEST_DIR=$D
MAILPLAN_TEST_CA=$C/ca.pem
MAILPLAN_TEST_HOST=$MP_HOST
MAILPLAN_TEST_DOMAIN=mailplan.test
MAILPLAN_TEST_DNS=$MP_HOST:$MP_DNS_PORT
MAILPLAN_TEST_POP3=$MP_HOST:$MP_POP3_PORT
MAILPLAN_TEST_POP3S=$MP_HOST:$MP_POP3S_PORT
MAILPLAN_TEST_IMAP=$MP_HOST:$MP_IMAP_PORT
MAILPLAN_TEST_IMAPS=$MP_HOST:$MP_IMAPS_PORT
MAILPLAN_TEST_IMAPS_EXPIRED=$MP_HOST:$MP_IMAPS_EXPIRED_PORT
MAILPLAN_TEST_SMTP=$MP_HOST:$MP_SMTP_PORT
MAILPLAN_TEST_SUBMISSION=$MP_HOST:$MP_SUBMISSION_PORT
MAILPLAN_TEST_SMTPS=$MP_HOST:$MP_SMTPS_PORT
MAILPLAN_TEST_SMTPS_WRONG_NAME=$MP_HOST:$MP_SMTPS_WRONG_NAME_PORT
MAILPLAN_TEST_USER=$MP_USER
MAILPLAN_TEST_PASSWORD=$MP_PASSWORD
MAILPLAN_TEST_TRICKY_USER=$MP_TRICKY_USER
MAILPLAN_TEST_TRICKY_PASSWORD='$MP_TRICKY_PASSWORD'
EOF
mv "$RUN/env.tmp" "$RUN/env"
trap - EXIT
say "all servers up on $MP_HOST; environment written to $RUN/env:"
sed 's/^/    /' "$RUN/env"
