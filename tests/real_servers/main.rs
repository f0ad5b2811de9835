//! Real-server tests: Dovecot, Postfix and Unbound on 127.0.0.1 (started by tests/servers/start.sh); each test skips when its server is not running, unless MAILPLAN_TEST_REQUIRE=1.
//! One test binary per area keeps the build small: each module below was its own binary once.
//! Run one module with `cargo test --test real_servers MODULE::`.

mod diagnose_real;
mod real_servers;
