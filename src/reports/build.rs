//! Turns [`ReportInputs`] into a [`ReportDoc`]: chooses sections, wording and tables.
//!
//! All text passes through [`Cleaner::clean`] here: control characters are stripped and
//! known secrets replaced by `****`, so no renderer can leak them.

use super::inputs::*;
use super::model::*;
use crate::checks::{CheckResult, Direction};
use crate::findings::{Finding, Severity, Verdict};
use crate::sanitize::strip_controls;

/// Removes control characters and known secrets from text going into a report.
#[derive(Debug, Clone, Default)]
pub struct Cleaner {
    secrets: Vec<String>,
}

impl Cleaner {
    /// A cleaner that also replaces each of `secrets` (and their Base64 forms, as sent
    /// in SASL PLAIN/LOGIN) with `****`.
    pub fn new(secrets: &[String]) -> Cleaner {
        let mut all: Vec<String> = Vec::new();
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            all.push(s.clone());
            all.push(base64(s.as_bytes()));
        }
        // Longest first, so a secret inside another is not half-replaced.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        all.dedup();
        Cleaner { secrets: all }
    }

    /// Also redacts the SASL PLAIN blob for this user and password.
    pub fn add_sasl_plain(&mut self, user: &str, password: &str) {
        if password.is_empty() {
            return;
        }
        let blob = format!("\0{user}\0{password}");
        self.secrets.push(base64(blob.as_bytes()));
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Clean one text: one line, no control characters, no secrets.
    pub fn clean(&self, text: &str) -> String {
        let mut out = strip_controls(text);
        for s in &self.secrets {
            // Secrets may contain control characters themselves; match the stripped form too.
            for form in [s.clone(), strip_controls(s)] {
                if !form.is_empty() && out.contains(&form) {
                    out = out.replace(&form, "****");
                }
            }
        }
        out
    }

    /// Cleans every string inside a JSON value (keys included).
    pub fn clean_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => *s = self.clean(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.clean_json(v)),
            Value::Object(map) => {
                let taken = std::mem::take(map);
                for (k, mut v) in taken {
                    self.clean_json(&mut v);
                    map.insert(self.clean(&k), v);
                }
            }
            _ => {}
        }
    }
}

/// Standard Base64 with padding (only used to recognise secrets in transcripts).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The cleaner for a set of inputs: its redact list plus the SASL blobs of its login.
pub fn cleaner_for(inputs: &ReportInputs) -> Cleaner {
    let mut cleaner = Cleaner::new(&inputs.redact);
    if let Some(user) = inputs
        .check_settings
        .as_ref()
        .and_then(|s| s.login_user.as_ref())
    {
        for p in &inputs.redact {
            cleaner.add_sasl_plain(user, p);
        }
    }
    cleaner
}

/// Formats cents with thousands separators and the currency: `$100,000.00`, `CHF 1,250.50`.
pub fn format_money(cents: Cents, currency: &str) -> String {
    let negative = cents < 0;
    let abs = cents.unsigned_abs();
    let units = group_thousands(abs / 100);
    let body = format!("{units}.{:02}", abs % 100);
    let sign = if negative { "-" } else { "" };
    match currency.trim() {
        "USD" | "$" => format!("{sign}${body}"),
        "EUR" | "€" => format!("{sign}€{body}"),
        "GBP" | "£" => format!("{sign}£{body}"),
        "" => format!("{sign}{body}"),
        other => format!("{sign}{other} {body}"),
    }
}

/// `5800` → `5,800`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn money_or_quote(cents: Option<Cents>, currency: &str) -> String {
    match cents {
        Some(c) => format_money(c, currency),
        None => "quote needed".to_owned(),
    }
}

fn verdict_tone(v: Verdict) -> Tone {
    match v {
        Verdict::Ok => Tone::Ok,
        Verdict::Warn => Tone::Warn,
        Verdict::Fail => Tone::Fail,
    }
}

fn severity_tone(s: Severity) -> Tone {
    match s {
        Severity::Info => Tone::Info,
        Severity::Warning => Tone::Warn,
        Severity::Error => Tone::Fail,
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// Builds the report document. `stamp` is the moment and version to print (use
/// [`ReportStamp::now`] outside tests).
pub fn build_report(inputs: &ReportInputs, stamp: ReportStamp) -> ReportDoc {
    let c = cleaner_for(inputs);
    let planning = inputs.plan.is_some()
        || inputs.recommendation.is_some()
        || !inputs.scenarios.is_empty()
        || inputs.costs.is_some();
    let checking = !inputs.checks.is_empty() || !inputs.diagnoses.is_empty();
    let title = match (&inputs.title, planning, checking) {
        (Some(t), _, _) if !t.trim().is_empty() => c.clean(t),
        (_, true, true) => "Mail plan and connectivity report".to_owned(),
        (_, false, true) => "Mail connectivity report".to_owned(),
        _ => "Mail plan report".to_owned(),
    };
    let subtitle = inputs
        .plan
        .as_ref()
        .map(|p| c.clean(&p.name))
        .filter(|n| !n.trim().is_empty() && *n != title);

    let mut sections = vec![context_section(inputs, &stamp, &c)];
    if let Some(r) = &inputs.recommendation {
        sections.push(recommendation_section(r, &c));
    }
    if !inputs.scenarios.is_empty() {
        sections.extend(scenario_sections(
            &inputs.scenarios,
            inputs.costs.as_ref(),
            &c,
        ));
    }
    if let Some(costs) = &inputs.costs {
        let ruled_out: Vec<&str> = inputs
            .recommendation
            .as_ref()
            .map(|r| r.ruled_out.iter().map(|x| x.id.as_str()).collect())
            .unwrap_or_default();
        sections.extend(cost_sections(costs, &ruled_out, &c));
    }
    if !inputs.checks.is_empty() {
        sections.extend(check_sections(inputs, &c));
    }
    for (i, d) in inputs.diagnoses.iter().enumerate() {
        sections.extend(diagnosis_sections(i, d, &c));
    }
    ReportDoc {
        title,
        subtitle,
        stamp,
        sections,
    }
}

fn kv(c: &Cleaner, k: &str, v: &str) -> (String, String) {
    (c.clean(k), c.clean(v))
}

fn list(c: &Cleaner, items: &[String]) -> Block {
    Block::List {
        ordered: false,
        items: items
            .iter()
            .map(|t| ListItem {
                text: c.clean(t),
                checked: None,
            })
            .collect(),
    }
}

fn context_section(inputs: &ReportInputs, stamp: &ReportStamp, c: &Cleaner) -> Section {
    let mut blocks = Vec::new();
    let mut contents = Vec::new();
    if inputs.recommendation.is_some() {
        contents.push("recommendation");
    }
    if !inputs.scenarios.is_empty() {
        contents.push("scenario comparison");
    }
    if inputs.costs.is_some() {
        contents.push("costs");
    }
    if !inputs.checks.is_empty() {
        contents.push("check results");
    }
    if !inputs.diagnoses.is_empty() {
        contents.push("diagnoses");
    }
    let mut items = vec![
        ("Generated".to_owned(), stamp.display()),
        (
            "mailplan version".to_owned(),
            stamp.mailplan_version.clone(),
        ),
    ];
    if !contents.is_empty() {
        items.push(("Contents".to_owned(), contents.join(", ")));
    }
    if let Some(p) = &inputs.plan
        && !p.name.trim().is_empty()
    {
        items.push(kv(c, "Plan", &p.name));
    }
    blocks.push(Block::KeyValues { items });
    if let Some(p) = &inputs.plan {
        if !p.organisation.is_empty() {
            blocks.push(Block::Subheading {
                text: "Organisation".into(),
            });
            blocks.push(Block::KeyValues {
                items: p.organisation.iter().map(|(k, v)| kv(c, k, v)).collect(),
            });
        }
        if !p.goals.is_empty() {
            blocks.push(Block::Subheading {
                text: "Goals".into(),
            });
            blocks.push(Block::Table(Table {
                caption: None,
                columns: vec![col("Goal", Align::Left), col("Weight", Align::Left)],
                rows: p
                    .goals
                    .iter()
                    .map(|(g, w)| vec![c.clean(g), c.clean(w)])
                    .collect(),
            }));
        }
        if !p.constraints.is_empty() {
            blocks.push(Block::Subheading {
                text: "Hard constraints".into(),
            });
            blocks.push(list(c, &p.constraints));
        }
    }
    Section {
        id: "context".into(),
        heading: "About this report".into(),
        level: 1,
        blocks,
    }
}

fn col(title: &str, align: Align) -> Column {
    Column {
        title: title.to_owned(),
        align,
    }
}

fn recommendation_section(r: &Recommendation, c: &Cleaner) -> Section {
    let mut blocks = Vec::new();
    if let Some(top) = r.ranked.first() {
        // The strongest reasons only; each scenario's section lists them all.
        let reasons = top
            .reasons
            .iter()
            .take(3)
            .map(|s| c.clean(s))
            .collect::<Vec<_>>()
            .join(" ");
        blocks.push(Block::Callout {
            tone: Tone::Ok,
            title: format!("Recommended: {}", c.clean(&top.name)),
            text: reasons,
        });
    } else {
        blocks.push(Block::Paragraph {
            text: "No scenario fits every hard constraint; see the ruled-out scenarios below."
                .into(),
        });
    }
    if r.ranked.len() > 1 {
        blocks.push(Block::Subheading {
            text: "Ranking".into(),
        });
        blocks.push(Block::Table(Table {
            caption: None,
            columns: vec![
                col("Rank", Align::Right),
                col("Scenario", Align::Left),
                col("Fit", Align::Right),
                col("Why", Align::Left),
            ],
            rows: r
                .ranked
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vec![
                        (i + 1).to_string(),
                        c.clean(&s.name),
                        s.score.map(|x| format!("{x:.0}")).unwrap_or_default(),
                        s.reasons
                            .iter()
                            .take(2)
                            .map(|t| c.clean(t))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect(),
        }));
    }
    if !r.ruled_out.is_empty() {
        blocks.push(Block::Subheading {
            text: "Ruled out".into(),
        });
        blocks.push(Block::List {
            ordered: false,
            items: r
                .ruled_out
                .iter()
                .map(|s| ListItem {
                    text: format!(
                        "{}: {}",
                        c.clean(&s.name),
                        s.reasons
                            .iter()
                            .map(|t| c.clean(t))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    checked: None,
                })
                .collect(),
        });
    }
    for n in &r.notes {
        blocks.push(Block::Paragraph { text: c.clean(n) });
    }
    if let Some(p) = &r.pop_or_imap {
        blocks.push(Block::Subheading {
            text: "POP3 or IMAP".into(),
        });
        blocks.push(Block::Paragraph { text: c.clean(p) });
    }
    Section {
        id: "recommendation".into(),
        heading: "Recommendation".into(),
        level: 1,
        blocks,
    }
}

fn scenario_sections(
    scenarios: &[ScenarioDetail],
    costs: Option<&CostReport>,
    c: &Cleaner,
) -> Vec<Section> {
    // Comparison table: one row per scenario; goal columns from the union of goal names.
    let mut goal_names: Vec<String> = Vec::new();
    for s in scenarios {
        for (g, _) in &s.goal_fit {
            if !goal_names.contains(g) {
                goal_names.push(g.clone());
            }
        }
    }
    let mut columns = vec![col("Scenario", Align::Left)];
    columns.extend(goal_names.iter().map(|g| col(&c.clean(g), Align::Left)));
    let cost_of = |id: &str| {
        costs.and_then(|k| {
            k.scenarios
                .iter()
                .find(|s| s.id == id)
                .map(|s| (s, &k.currency))
        })
    };
    if costs.is_some() {
        columns.push(col("Per seat / year", Align::Right));
        columns.push(col("Yearly", Align::Right));
    }
    let rows = scenarios
        .iter()
        .map(|s| {
            let mut row = vec![c.clean(&s.name)];
            for g in &goal_names {
                let fit = s
                    .goal_fit
                    .iter()
                    .find(|(n, _)| n == g)
                    .map(|(_, v)| c.clean(v));
                row.push(fit.unwrap_or_else(|| "–".into()));
            }
            if costs.is_some() {
                match cost_of(&s.id) {
                    Some((k, cur)) => {
                        row.push(money_or_quote(k.per_seat_year, cur));
                        row.push(money_or_quote(k.yearly, cur));
                    }
                    None => {
                        row.push("–".into());
                        row.push("–".into());
                    }
                }
            }
            row
        })
        .collect();
    let blocks = vec![Block::Table(Table {
        caption: None,
        columns,
        rows,
    })];
    let mut out = vec![Section {
        id: "scenarios".into(),
        heading: "Scenario comparison".into(),
        level: 1,
        blocks,
    }];
    for s in scenarios {
        let mut b = Vec::new();
        if !s.summary.is_empty() {
            b.push(Block::Paragraph {
                text: c.clean(&s.summary),
            });
        }
        if !s.fit_reasons.is_empty() {
            b.push(Block::Subheading {
                text: "How it fits your goals".into(),
            });
            b.push(list(c, &s.fit_reasons));
        }
        if !s.mail_flow.is_empty() {
            b.push(Block::Subheading {
                text: "Mail flow".into(),
            });
            b.push(Block::Paragraph {
                text: s
                    .mail_flow
                    .iter()
                    .map(|h| c.clean(h))
                    .collect::<Vec<_>>()
                    .join(" → "),
            });
        }
        for (group, items) in &s.changes {
            if items.is_empty() {
                continue;
            }
            b.push(Block::Subheading {
                text: format!("Changes: {}", c.clean(group)),
            });
            b.push(list(c, items));
        }
        if !s.prerequisites.is_empty() {
            b.push(Block::Subheading {
                text: "Prerequisites".into(),
            });
            b.push(list(c, &s.prerequisites));
        }
        if !s.compliance.is_empty() {
            b.push(Block::Subheading {
                text: "Compliance fit".into(),
            });
            b.push(Block::KeyValues {
                items: s.compliance.iter().map(|(k, v)| kv(c, k, v)).collect(),
            });
        }
        if !s.risks.is_empty() {
            b.push(Block::Subheading {
                text: "Risks".into(),
            });
            b.push(list(c, &s.risks));
        }
        if !s.push_back.is_empty() {
            b.push(Block::Subheading {
                text: "When to push back".into(),
            });
            b.push(list(c, &s.push_back));
        }
        if !s.checklist.is_empty() {
            b.push(Block::Subheading {
                text: "Set-up checklist".into(),
            });
            b.push(Block::List {
                ordered: true,
                items: s
                    .checklist
                    .iter()
                    .map(|(t, done)| ListItem {
                        text: c.clean(t),
                        checked: Some(*done),
                    })
                    .collect(),
            });
        }
        out.push(Section {
            id: format!("scenario-{}", anchor(&s.id)),
            heading: c.clean(&s.name),
            level: 2,
            blocks: b,
        });
    }
    out
}

/// A safe anchor: lower-case ASCII letters, digits and dashes.
fn anchor(id: &str) -> String {
    let a: String = id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if a.is_empty() { "x".into() } else { a }
}

fn cents_to_units(c: Cents) -> f64 {
    c as f64 / 100.0
}

fn cost_sections(k: &CostReport, ruled_out: &[&str], c: &Cleaner) -> Vec<Section> {
    let cur = c.clean(&k.currency);
    let mut blocks = vec![Block::KeyValues {
        items: vec![
            (
                "Currency".into(),
                if cur.is_empty() {
                    "–".into()
                } else {
                    cur.clone()
                },
            ),
            (
                "Horizon".into(),
                format!(
                    "year 0 (one-off) plus {} year{}",
                    k.horizon_years,
                    if k.horizon_years == 1 { "" } else { "s" }
                ),
            ),
            (
                "Discount rate (for NPV)".into(),
                format!("{}%", k.discount_rate_percent),
            ),
            (
                "Yearly price escalation".into(),
                format!("{}%", k.escalation_percent),
            ),
        ],
    }];
    if k.seats_total > 0
        && let Some(Block::KeyValues { items }) = blocks.first_mut()
    {
        let seats = format!(
            "{} in total, {} moving",
            group_thousands(u64::from(k.seats_total)),
            group_thousands(u64::from(k.seats_moving))
        );
        items.insert(1, ("Seats".into(), seats));
    }
    let total_title = format!("Total over {} years", k.horizon_years);
    blocks.push(Block::Table(Table {
        caption: Some("Summary per scenario".into()),
        columns: vec![
            col("Scenario", Align::Left),
            col("One-off (year 0)", Align::Right),
            col("Yearly", Align::Right),
            col("Per seat / year", Align::Right),
            col(&total_title, Align::Right),
            col("NPV", Align::Right),
        ],
        rows: k
            .scenarios
            .iter()
            .map(|s| {
                vec![
                    c.clean(&s.name),
                    money_or_quote(s.one_off, &cur),
                    money_or_quote(s.yearly, &cur),
                    money_or_quote(s.per_seat_year, &cur),
                    money_or_quote(s.total, &cur),
                    money_or_quote(s.npv, &cur),
                ]
            })
            .collect(),
    }));
    if let Some(id) = &k.cheapest
        && let Some(s) = k.scenarios.iter().find(|s| &s.id == id)
    {
        let missing = k.scenarios.iter().filter(|s| s.total.is_none()).count();
        let title = if missing == 0 {
            format!("Cheapest over the horizon: {}", c.clean(&s.name))
        } else {
            format!(
                "Lowest cost of the scenarios with a complete estimate: {}",
                c.clean(&s.name)
            )
        };
        let mut text = format!(
            "{} in total, {} net present value.",
            money_or_quote(s.total, &cur),
            money_or_quote(s.npv, &cur)
        );
        if missing > 0 {
            text.push_str(&format!(
                " {missing} of {} scenarios have no total until their quote-only prices are entered, so this is not a comparison of every option.",
                k.scenarios.len()
            ));
        }
        if ruled_out.contains(&id.as_str()) {
            text.push_str(" The advisor ruled this scenario out (see the recommendation).");
        }
        blocks.push(Block::Callout {
            tone: Tone::Info,
            title,
            text,
        });
    }
    for w in &k.warnings {
        blocks.push(Block::Callout {
            tone: Tone::Warn,
            title: "Warning".into(),
            text: c.clean(w),
        });
    }
    for n in &k.notes {
        blocks.push(Block::Paragraph { text: c.clean(n) });
    }
    // Charts: totals per scenario, and cumulative cost by year.
    let known: Vec<&ScenarioCost> = k.scenarios.iter().filter(|s| s.total.is_some()).collect();
    if !known.is_empty() {
        blocks.push(Block::Chart(Chart {
            title: total_title.clone(),
            kind: ChartKind::Bar,
            unit: cur.clone(),
            categories: known.iter().map(|s| c.clean(&s.name)).collect(),
            series: vec![
                Series {
                    name: "One-off (year 0)".into(),
                    values: known
                        .iter()
                        .map(|s| cents_to_units(s.one_off.unwrap_or(0)))
                        .collect(),
                },
                Series {
                    name: total_title.clone(),
                    values: known
                        .iter()
                        .map(|s| cents_to_units(s.total.unwrap_or(0)))
                        .collect(),
                },
            ],
        }));
    }
    let years = k
        .scenarios
        .iter()
        .map(|s| s.by_year.len())
        .max()
        .unwrap_or(0);
    if years > 1 {
        blocks.push(Block::Chart(Chart {
            title: "Cumulative cost by year".into(),
            kind: ChartKind::Line,
            unit: cur.clone(),
            categories: (0..years).map(|y| format!("Year {y}")).collect(),
            series: k
                .scenarios
                .iter()
                .filter(|s| s.by_year.len() == years)
                .map(|s| Series {
                    name: c.clean(&s.name),
                    values: s
                        .by_year
                        .iter()
                        .scan(0i64, |acc, v| {
                            *acc += v;
                            Some(cents_to_units(*acc))
                        })
                        .collect(),
                })
                .collect(),
        }));
    }
    let mut out = vec![Section {
        id: "costs".into(),
        heading: "Costs".into(),
        level: 1,
        blocks,
    }];
    for s in &k.scenarios {
        let mut b = Vec::new();
        if !s.lines.is_empty() {
            b.push(Block::Table(Table {
                caption: None,
                columns: vec![
                    col("Line", Align::Left),
                    col("Item", Align::Left),
                    col("Quantity", Align::Right),
                    col("Unit price", Align::Right),
                    col("One-off", Align::Right),
                    col("Yearly", Align::Right),
                    col("Source", Align::Left),
                ],
                rows: s
                    .lines
                    .iter()
                    .map(|l| {
                        let source = match (l.source.trim(), l.as_of.trim()) {
                            ("", "") => "–".to_owned(),
                            (src, "") => c.clean(src),
                            ("", d) => format!("as of {}", c.clean(d)),
                            (src, d) => format!("{} (as of {})", c.clean(src), c.clean(d)),
                        };
                        vec![
                            c.clean(&l.role),
                            c.clean(&l.item),
                            c.clean(&l.quantity),
                            c.clean(&l.unit_price),
                            l.one_off
                                .map(|v| format_money(v, &cur))
                                .unwrap_or_else(|| "–".into()),
                            l.yearly
                                .map(|v| format_money(v, &cur))
                                .unwrap_or_else(|| "–".into()),
                            source,
                        ]
                    })
                    .collect(),
            }));
        }
        match s.warnings.len() {
            0 => {}
            1 => b.push(Block::Callout {
                tone: Tone::Warn,
                title: "Warning".into(),
                text: c.clean(&s.warnings[0]),
            }),
            n => {
                b.push(Block::Callout {
                    tone: Tone::Warn,
                    title: format!("{n} warnings"),
                    text: String::new(),
                });
                b.push(list(c, &s.warnings));
            }
        }
        if b.is_empty() {
            continue;
        }
        out.push(Section {
            id: format!("costs-{}", anchor(&s.id)),
            heading: format!("Cost breakdown: {}", c.clean(&s.name)),
            level: 2,
            blocks: b,
        });
    }
    out
}

fn check_sections(inputs: &ReportInputs, c: &Cleaner) -> Vec<Section> {
    let mut blocks = Vec::new();
    if let Some(s) = &inputs.check_settings {
        let mut items = vec![(
            "Deadline per check".to_owned(),
            format!("{} s", s.timeout_secs),
        )];
        if let Some(d) = &s.dns {
            items.push(kv(c, "DNS server", d));
        }
        if let Some(u) = &s.login_user {
            items.push(kv(c, "Login as", u));
            items.push(("Password".into(), "not recorded".into()));
        }
        if s.no_starttls {
            items.push(("STARTTLS".into(), "not used (--no-starttls)".into()));
        }
        if s.allow_plaintext_login {
            items.push(("Plain-text login".into(), "allowed".into()));
        }
        if s.inspect_latest {
            items.push(("Inspect newest message".into(), "yes".into()));
        }
        blocks.push(Block::KeyValues { items });
        if s.insecure {
            blocks.push(insecure_callout());
        }
    }
    blocks.push(check_summary_table(&inputs.checks, c));
    let mut out = vec![Section {
        id: "checks".into(),
        heading: "Check results".into(),
        level: 1,
        blocks,
    }];
    for (i, r) in inputs.checks.iter().enumerate() {
        out.push(check_detail(&format!("check-{}", i + 1), r, c));
    }
    out
}

fn insecure_callout() -> Block {
    Block::Callout {
        tone: Tone::Warn,
        title: "Certificate checks were off (--insecure, or 'Accept invalid certificates' in the app)".into(),
        text: "Any certificate was accepted, so these results do not show whether a mail client would trust the server."
            .into(),
    }
}

fn check_summary_table(checks: &[CheckResult], c: &Cleaner) -> Block {
    Block::Table(Table {
        caption: None,
        columns: vec![
            col("Target", Align::Left),
            col("Verdict", Align::Left),
            col("Findings", Align::Left),
            col("Time", Align::Right),
        ],
        rows: checks
            .iter()
            .map(|r| {
                let codes = r
                    .findings
                    .iter()
                    .map(|f| c.clean(&f.code))
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![
                    c.clean(&r.target),
                    r.verdict.label().to_uppercase(),
                    if codes.is_empty() {
                        "none".into()
                    } else {
                        codes
                    },
                    format!("{} ms", r.elapsed_ms),
                ]
            })
            .collect(),
    })
}

fn finding_block(target: Option<&str>, f: &Finding, c: &Cleaner) -> Block {
    Block::Finding(FindingBlock {
        target: target.map(|t| c.clean(t)),
        code: c.clean(&f.code),
        severity: severity_label(f.severity).into(),
        tone: severity_tone(f.severity),
        title: c.clean(&f.title),
        server_text: f.server_text.as_ref().map(|t| c.clean(t)),
        explanation: c.clean(&f.explanation),
        fix: c.clean(&f.fix),
    })
}

fn check_detail(id: &str, r: &CheckResult, c: &Cleaner) -> Section {
    let mut b = Vec::new();
    let tone = verdict_tone(r.verdict);
    let summary = match r.findings.len() {
        0 => "No problems found.".to_owned(),
        1 => "1 finding.".to_owned(),
        n => format!("{n} findings."),
    };
    b.push(Block::Callout {
        tone,
        title: format!("Verdict: {}", r.verdict.label().to_uppercase()),
        text: summary,
    });
    if r.insecure {
        b.push(insecure_callout());
    }
    let mut items = vec![
        (
            "Protocol".to_owned(),
            format!("{:?}", r.protocol).to_uppercase(),
        ),
        kv(c, "Host", &r.host),
        ("Port".to_owned(), r.port.to_string()),
        ("TLS mode".to_owned(), tls_mode_label(r)),
    ];
    if let Some(banner) = &r.banner {
        items.push(kv(c, "Banner", banner));
    }
    if !r.capabilities.is_empty() {
        items.push(("Capabilities".into(), c.clean(&r.capabilities.join(" "))));
    }
    if !r.auth_mechanisms.is_empty() {
        items.push((
            "Auth mechanisms".into(),
            c.clean(&r.auth_mechanisms.join(" ")),
        ));
    }
    items.push(("Elapsed".into(), format!("{} ms", r.elapsed_ms)));
    b.push(Block::KeyValues { items });
    if !r.findings.is_empty() {
        b.push(Block::Subheading {
            text: "Findings".into(),
        });
        for f in &r.findings {
            b.push(finding_block(Some(&r.target), f, c));
        }
    }
    if let Some(tls) = &r.tls {
        b.push(Block::Subheading { text: "TLS".into() });
        let mut items = Vec::new();
        if let Some(v) = &tls.version {
            items.push(kv(c, "Version", v));
        }
        items.push((
            "Certificate verified".into(),
            if tls.verified {
                "yes".into()
            } else {
                "no".into()
            },
        ));
        if let Some(cert) = &tls.certificate {
            items.push(kv(c, "Subject", &cert.subject));
            if !cert.sans.is_empty() {
                items.push(("Names (SAN)".into(), c.clean(&cert.sans.join(", "))));
            }
            items.push(kv(c, "Issuer", &cert.issuer));
            items.push(kv(c, "Valid from", &cert.not_before));
            items.push(kv(c, "Valid until", &cert.not_after));
            items.push((
                "Self-signed".into(),
                if cert.self_signed {
                    "yes".into()
                } else {
                    "no".into()
                },
            ));
        }
        b.push(Block::KeyValues { items });
    }
    if r.addresses.len() > 1 {
        b.push(Block::Subheading {
            text: "Addresses".into(),
        });
        b.push(Block::Table(Table {
            caption: None,
            columns: vec![
                col("Address", Align::Left),
                col("Result", Align::Left),
                col("Time", Align::Right),
            ],
            rows: r
                .addresses
                .iter()
                .map(|a| {
                    vec![
                        c.clean(&a.address),
                        if a.ok {
                            "connected".into()
                        } else {
                            a.code
                                .as_deref()
                                .map(|x| c.clean(x))
                                .unwrap_or_else(|| "failed".into())
                        },
                        format!("{} ms", a.ms),
                    ]
                })
                .collect(),
        }));
    }
    if !r.steps.is_empty() {
        b.push(Block::Subheading {
            text: "Steps".into(),
        });
        b.push(Block::Table(Table {
            caption: None,
            columns: vec![
                col("Step", Align::Left),
                col("Result", Align::Left),
                col("Time", Align::Right),
                col("Detail", Align::Left),
            ],
            rows: r
                .steps
                .iter()
                .map(|s| {
                    vec![
                        c.clean(&s.name),
                        if s.ok { "ok".into() } else { "failed".into() },
                        format!("{} ms", s.ms),
                        s.detail.as_deref().map(|d| c.clean(d)).unwrap_or_default(),
                    ]
                })
                .collect(),
        }));
    }
    if let Some(m) = &r.latest_message {
        b.push(Block::Subheading {
            text: "Newest message".into(),
        });
        let show = |v: &Option<String>| {
            v.as_deref()
                .map(|x| c.clean(x))
                .unwrap_or_else(|| "missing".into())
        };
        b.push(Block::KeyValues {
            items: vec![
                ("Date header".into(), show(&m.date_header)),
                ("Newest Received".into(), show(&m.newest_received)),
                ("Subject".into(), show(&m.subject)),
            ],
        });
    }
    if !r.transcript.is_empty() {
        b.push(Block::Code {
            caption: Some("Transcript (passwords shown as ****)".into()),
            lines: r
                .transcript
                .iter()
                .map(|l| {
                    let (kind, who) = match l.dir {
                        Direction::Client => (LineKind::Client, "C:"),
                        Direction::Server => (LineKind::Server, "S:"),
                        Direction::Note => (LineKind::Note, "--"),
                    };
                    CodeLine {
                        kind,
                        prefix: format!("{:>6} ms {who}", l.at_ms),
                        text: c.clean(&l.text),
                    }
                })
                .collect(),
        });
    }
    Section {
        id: id.to_owned(),
        heading: c.clean(&r.target),
        level: 2,
        blocks: b,
    }
}

fn tls_mode_label(r: &CheckResult) -> String {
    r.tls_mode_description().to_owned()
}

fn diagnosis_sections(i: usize, d: &DiagnosisReport, c: &Cleaner) -> Vec<Section> {
    let mut b = Vec::new();
    if !d.facts.is_empty() {
        b.push(Block::KeyValues {
            items: d.facts.iter().map(|(k, v)| kv(c, k, v)).collect(),
        });
    }
    for f in &d.findings {
        b.push(finding_block(Some(&d.subject), f, c));
    }
    if !d.checks.is_empty() {
        b.push(Block::Subheading {
            text: "Endpoints checked".into(),
        });
        b.push(check_summary_table(&d.checks, c));
    }
    let mut out = vec![Section {
        id: format!("diagnosis-{}", i + 1),
        heading: format!("Diagnosis: {}", c.clean(&d.subject)),
        level: 1,
        blocks: b,
    }];
    for (j, r) in d.checks.iter().enumerate() {
        out.push(check_detail(
            &format!("diagnosis-{}-check-{}", i + 1, j + 1),
            r,
            c,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"\0user\0pass"), "AHVzZXIAcGFzcw==");
    }

    #[test]
    fn cleaner_redacts_secrets_and_controls() {
        let mut c = Cleaner::new(&["hunter2".to_owned()]);
        c.add_sasl_plain("user", "pass");
        assert_eq!(c.clean("PASS hunter2\r\n"), "PASS ****  ");
        assert_eq!(c.clean("AUTH PLAIN AHVzZXIAcGFzcw=="), "AUTH PLAIN ****");
        assert_eq!(c.clean("a\u{1b}[31mb"), "a\u{fffd}b");
    }

    /// The plan's name is the subtitle under a generic title, but not said twice when it is
    /// the title too (the app titles reports with the plan's name).
    #[test]
    fn the_plan_name_is_not_repeated_under_itself() {
        let stamp = || ReportStamp::now();
        let mut inputs = super::super::sample::planning();
        let name = inputs.plan.as_ref().unwrap().name.clone();
        inputs.title = None;
        assert_eq!(
            build_report(&inputs, stamp()).subtitle.as_deref(),
            Some(name.as_str())
        );
        inputs.title = Some(name.clone());
        let doc = build_report(&inputs, stamp());
        assert_eq!(doc.title, name);
        assert_eq!(doc.subtitle, None);
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(format_money(10_000_000, "USD"), "$100,000.00");
        assert_eq!(format_money(-5, "EUR"), "-€0.05");
        assert_eq!(format_money(123_456_789, "CHF"), "CHF 1,234,567.89");
        assert_eq!(group_thousands(5800), "5,800");
        assert_eq!(group_thousands(100), "100");
    }
}
