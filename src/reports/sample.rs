//! Example report inputs: the classic case (a 5,800-seat Domino site trying a hosted
//! service for 2,000 users). Used by tests and as a preview when nothing is loaded yet.
//! All figures are illustrative, computed by hand from the inputs shown.

use super::inputs::*;
use crate::checks::{CheckResult, Direction, Protocol, Step, TlsMode, TranscriptLine};
use crate::findings::{Finding, Severity, Verdict};

fn s(v: &str) -> String {
    v.to_owned()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (s(a), s(b))
}

/// The planning part: plan context, recommendation, three scenarios and their costs.
pub fn planning() -> ReportInputs {
    let plan = PlanContext {
        name: s("Gmail pilot for 2,000 users"),
        organisation: vec![
            pair("Seats in total", "5,800"),
            pair("Seats that would move", "2,000"),
            pair("Current system", "Lotus Notes / Domino, on-premises"),
            pair("Current mailbox quota", "1,280 MB"),
        ],
        goals: vec![
            pair("Compliance and retention (SOX)", "high"),
            pair("Keep on-premises applications", "high"),
            pair("Cost reduction", "medium"),
            pair("Access from anywhere and mobile", "medium"),
        ],
        constraints: vec![s(
            "An in-house copy of all mail is required (SOX retention).",
        )],
    };
    let recommendation = Recommendation {
        ranked: vec![
            RankedScenario {
                id: s("dual-delivery-some"),
                name: s("Dual delivery for some users"),
                score: Some(8.2),
                reasons: vec![
                    s(
                        "Domino keeps receiving every message, so the in-house SOX copy is unchanged.",
                    ),
                    s("Only the 2,000 users who asked for it get a hosted mailbox."),
                ],
            },
            RankedScenario {
                id: s("stay-on-prem"),
                name: s("Stay on-premises"),
                score: Some(5.1),
                reasons: vec![s(
                    "Nothing changes for compliance, but nobody gets the larger mailbox.",
                )],
            },
        ],
        ruled_out: vec![RuledOut {
            id: s("hosted-only"),
            name: s("Hosted only"),
            reasons: vec![s(
                "Needs an in-house copy, and the chosen plan has no retention or legal hold.",
            )],
        }],
        pop_or_imap: Some(s(
            "IMAP: the mail should stay on the server, and users read it on more than one device.",
        )),
        notes: vec![],
    };
    let dual = ScenarioDetail {
        id: s("dual-delivery-some"),
        name: s("Dual delivery for some users"),
        summary: s(
            "Domino keeps receiving all mail and sends a copy for chosen users to the hosted service.",
        ),
        mail_flow: vec![
            s("Internet"),
            s("MX: on-premises gateway"),
            s("Domino"),
            s("copy for pilot users: hosted service"),
        ],
        changes: vec![
            (
                s("DNS"),
                vec![s(
                    "No MX change; add the hosted service's SPF include for outbound mail.",
                )],
            ),
            (
                s("Gateway and servers"),
                vec![s(
                    "A forwarding rule or second address per pilot user on Domino.",
                )],
            ),
            (
                s("Clients"),
                vec![s("Pilot users use webmail or IMAP in cached mode.")],
            ),
        ],
        prerequisites: vec![
            s("Admin rights on Domino and the gateway."),
            s("A hosted domain alias for routing."),
        ],
        checklist: vec![
            (s("Verify the domain with the hosted provider."), true),
            (s("Create the pilot mailboxes."), false),
            (
                s("Add the routing copy on Domino for each pilot user."),
                false,
            ),
        ],
        risks: vec![s(
            "Users see two copies of every message and may answer from the wrong one.",
        )],
        compliance: vec![
            pair("Retention", "Unchanged: Domino keeps every message."),
            pair("Legal hold", "Run on Domino as today."),
        ],
        push_back: vec![s(
            "If the pilot is meant to replace Domino, plan the full move instead.",
        )],
        goal_fit: vec![
            pair("Compliance", "keeps"),
            pair("Cost", "adds"),
            pair("Mobile access", "better"),
        ],
        fit_reasons: vec![],
    };
    let hosted = ScenarioDetail {
        id: s("hosted-only"),
        name: s("Hosted only"),
        summary: s("MX points at the hosted provider; Domino is retired for mail."),
        mail_flow: vec![s("Internet"), s("MX: hosted service"), s("user mailbox")],
        goal_fit: vec![
            pair("Compliance", "needs add-on"),
            pair("Cost", "lowest run-rate"),
            pair("Mobile access", "best"),
        ],
        ..Default::default()
    };
    let stay = ScenarioDetail {
        id: s("stay-on-prem"),
        name: s("Stay on-premises"),
        summary: s("Webmail and mobile access through the existing Domino servers."),
        goal_fit: vec![
            pair("Compliance", "keeps"),
            pair("Cost", "unchanged"),
            pair("Mobile access", "limited"),
        ],
        ..Default::default()
    };
    let src_2008 = s("Google Apps Premier list price 2008 (Forrester, Jan 2009)");
    let costs = CostReport {
        currency: s("USD"),
        horizon_years: 3,
        discount_rate_percent: 10.0,
        escalation_percent: 0.0,
        seats_total: 5800,
        seats_moving: 2000,
        scenarios: vec![
            ScenarioCost {
                id: s("dual-delivery-some"),
                name: s("Dual delivery for some users"),
                seats: 2000,
                one_off: Some(5_000_000),
                yearly: Some(11_200_000),
                per_seat_year: Some(5_600),
                total: Some(38_600_000),
                npv: Some(32_852_742),
                by_year: vec![5_000_000, 11_200_000, 11_200_000, 11_200_000],
                lines: vec![
                    CostLineRow {
                        role: s("Hosted subscription"),
                        item: s("Google Apps Premier (2008)"),
                        quantity: s("2,000 seats"),
                        unit_price: s("$50.00 per user per year"),
                        one_off: None,
                        yearly: Some(10_000_000),
                        source: src_2008.clone(),
                        as_of: s("2008-10-01"),
                    },
                    CostLineRow {
                        role: s("Gateway"),
                        item: s("Routing gateway (your figure)"),
                        quantity: s("1 flat"),
                        unit_price: s("$12,000.00 per year"),
                        one_off: None,
                        yearly: Some(1_200_000),
                        source: s("entered in the plan"),
                        as_of: String::new(),
                    },
                    CostLineRow {
                        role: s("Migration"),
                        item: s("Migration labour"),
                        quantity: s("2,000 mailboxes"),
                        unit_price: s("$15.00 per mailbox once"),
                        one_off: Some(3_000_000),
                        yearly: None,
                        source: s("entered in the plan"),
                        as_of: String::new(),
                    },
                    CostLineRow {
                        role: s("Training"),
                        item: s("Training"),
                        quantity: s("500 hours"),
                        unit_price: s("$40.00 per hour"),
                        one_off: Some(2_000_000),
                        yearly: None,
                        source: s("entered in the plan"),
                        as_of: String::new(),
                    },
                ],
                warnings: vec![s(
                    "Price data for Google Apps Premier (2008) is older than 12 months.",
                )],
            },
            ScenarioCost {
                id: s("hosted-only"),
                name: s("Hosted only"),
                seats: 5800,
                one_off: Some(14_500_000),
                yearly: Some(29_000_000),
                per_seat_year: Some(5_000),
                total: Some(101_500_000),
                npv: Some(86_618_708),
                by_year: vec![14_500_000, 29_000_000, 29_000_000, 29_000_000],
                lines: vec![
                    CostLineRow {
                        role: s("Hosted subscription"),
                        item: s("Google Apps Premier (2008)"),
                        quantity: s("5,800 seats"),
                        unit_price: s("$50.00 per user per year"),
                        one_off: None,
                        yearly: Some(29_000_000),
                        source: src_2008,
                        as_of: s("2008-10-01"),
                    },
                    CostLineRow {
                        role: s("Migration"),
                        item: s("Migration labour and training"),
                        quantity: s("5,800 mailboxes"),
                        unit_price: s("$25.00 per mailbox once"),
                        one_off: Some(14_500_000),
                        yearly: None,
                        source: s("entered in the plan"),
                        as_of: String::new(),
                    },
                ],
                warnings: vec![],
            },
            ScenarioCost {
                id: s("stay-on-prem"),
                name: s("Stay on-premises"),
                seats: 5800,
                lines: vec![CostLineRow {
                    role: s("On-premises licences"),
                    item: s("Domino licences"),
                    quantity: s("5,800 seats"),
                    unit_price: s("quote needed"),
                    source: s("no public price: enter your quote"),
                    ..Default::default()
                }],
                warnings: vec![s(
                    "Domino licences need a quote before a total can be shown.",
                )],
                ..Default::default()
            },
        ],
        cheapest: Some(s("dual-delivery-some")),
        warnings: vec![s(
            "On-premises Domino costs are not included until a quote is entered.",
        )],
        notes: vec![s(
            "Figures exclude on-premises costs that do not change between scenarios.",
        )],
    };
    ReportInputs {
        plan: Some(plan),
        recommendation: Some(recommendation),
        scenarios: vec![dual, hosted, stay],
        costs: Some(costs),
        ..Default::default()
    }
}

/// One POP3 check of a Domino server whose POP3 Internet Site is missing.
pub fn domino_check() -> CheckResult {
    CheckResult {
        target: s("pop3://mail.example.com:110"),
        protocol: Protocol::Pop3,
        host: s("mail.example.com"),
        port: 110,
        tls_mode: TlsMode::Starttls,
        verdict: Verdict::Fail,
        findings: vec![
            Finding::new(
                "auth.failed",
                Severity::Error,
                "The server refused the login",
                "Domino answers this when no Internet Site document enables POP3 for this server, or the user has no Internet password.",
                "Ask the Domino administrator to enable POP3 in an Internet Site document and set an Internet password for the user.",
            )
            .with_server_text("-ERR This site is not enabled on the server"),
            Finding::new(
                "starttls.not_offered",
                Severity::Warning,
                "The server does not offer STLS",
                "Without STLS the password would cross the network in plain text.",
                "Use POP3S on port 995, or enable TLS for POP3 on the server.",
            ),
        ],
        steps: vec![
            Step {
                name: s("resolve"),
                ms: 12,
                ok: true,
                detail: Some(s("192.0.2.10")),
            },
            Step {
                name: s("connect"),
                ms: 31,
                ok: true,
                detail: Some(s("192.0.2.10:110")),
            },
            Step {
                name: s("greeting"),
                ms: 40,
                ok: true,
                detail: None,
            },
            Step {
                name: s("login"),
                ms: 55,
                ok: false,
                detail: None,
            },
        ],
        banner: Some(s("+OK Lotus Notes POP3 server version X2.0 ready")),
        capabilities: vec![s("USER"), s("TOP"), s("UIDL")],
        auth_mechanisms: vec![],
        tls: None,
        addresses: vec![],
        transcript: vec![
            TranscriptLine {
                at_ms: 40,
                dir: Direction::Server,
                text: s("+OK Lotus Notes POP3 server version X2.0 ready"),
            },
            TranscriptLine {
                at_ms: 41,
                dir: Direction::Client,
                text: s("CAPA"),
            },
            TranscriptLine {
                at_ms: 45,
                dir: Direction::Server,
                text: s("-ERR Unknown command"),
            },
            TranscriptLine {
                at_ms: 46,
                dir: Direction::Note,
                text: s("STLS not offered; login allowed in plain text by --allow-plaintext-login"),
            },
            TranscriptLine {
                at_ms: 47,
                dir: Direction::Client,
                text: s("USER jsmith"),
            },
            TranscriptLine {
                at_ms: 50,
                dir: Direction::Server,
                text: s("+OK"),
            },
            TranscriptLine {
                at_ms: 51,
                dir: Direction::Client,
                text: s("PASS ****"),
            },
            TranscriptLine {
                at_ms: 55,
                dir: Direction::Server,
                text: s("-ERR This site is not enabled on the server"),
            },
        ],
        latest_message: None,
        insecure: false,
        elapsed_ms: 58,
    }
}

/// The planning part plus one check: a complete example.
pub fn full() -> ReportInputs {
    let mut inputs = planning();
    inputs.check_settings = Some(CheckSettings {
        timeout_secs: 30,
        login_user: Some(s("jsmith")),
        allow_plaintext_login: true,
        ..Default::default()
    });
    inputs.checks = vec![domino_check()];
    inputs
}
