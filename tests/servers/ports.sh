# Fixed ports of the real-server test suite, all on 127.0.0.1. Sourced by start.sh and stop.sh.
# shellcheck shell=bash
MP_HOST=127.0.0.1
MP_DNS_PORT=15353          # Unbound: test zones (mailplan.test and the DNS-helper zones)
MP_POP3_PORT=11110         # Dovecot POP3, STLS offered, login only after STLS
MP_POP3S_PORT=11995        # Dovecot POP3 over implicit TLS
MP_IMAP_PORT=11143         # Dovecot IMAP, STARTTLS offered, LOGINDISABLED before it
MP_IMAPS_PORT=11993        # Dovecot IMAP over implicit TLS
MP_IMAPS_EXPIRED_PORT=11994  # second Dovecot: IMAPS with an expired certificate
MP_SMTP_PORT=11025         # Postfix, port-25 style: STARTTLS offered, no AUTH
MP_SUBMISSION_PORT=11587   # Postfix submission: STARTTLS required, AUTH via Dovecot after it
MP_SMTPS_PORT=11465        # Postfix submission over implicit TLS (wrappermode), AUTH via Dovecot
MP_SMTPS_WRONG_NAME_PORT=11466  # Postfix implicit TLS with a certificate for another name

# Test accounts (throwaway local accounts that exist only inside the test Dovecot).
MP_USER=alice
MP_PASSWORD=alice-test-password
MP_TRICKY_USER=bob
MP_TRICKY_PASSWORD='pa"ss\ word'
