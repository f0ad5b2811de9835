//! Markdown output: reads well as plain text and renders on common forges (GFM tables,
//! task lists). Untrusted text is escaped; server words are shown as code spans.

use super::escape::{markdown as md, markdown_code, markdown_fence, markdown_line};
use super::model::*;
use std::fmt::Write;

/// Renders the document as Markdown.
pub fn render(doc: &ReportDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md(&doc.title));
    if let Some(s) = &doc.subtitle {
        let _ = writeln!(out, "**{}**\n", md(s));
    }
    let _ = writeln!(
        out,
        "Generated {} by mailplan {}.\n",
        md(&doc.stamp.display()),
        md(&doc.stamp.mailplan_version)
    );
    for section in &doc.sections {
        let hashes = if section.level <= 1 { "##" } else { "###" };
        let _ = writeln!(out, "{hashes} {}\n", md(&section.heading));
        for block in &section.blocks {
            block_md(&mut out, block);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn block_md(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph { text } => {
            let _ = writeln!(out, "{}\n", markdown_line(text));
        }
        Block::Subheading { text } => {
            let _ = writeln!(out, "#### {}\n", md(text));
        }
        Block::KeyValues { items } => {
            for (k, v) in items {
                let _ = writeln!(out, "- **{}:** {}", md(k), md(v));
            }
            out.push('\n');
        }
        Block::List { ordered, items } => {
            for (i, item) in items.iter().enumerate() {
                let marker = match (item.checked, ordered) {
                    (Some(true), _) => "- [x]".to_owned(),
                    (Some(false), _) => "- [ ]".to_owned(),
                    (None, true) => format!("{}.", i + 1),
                    (None, false) => "-".to_owned(),
                };
                let _ = writeln!(out, "{marker} {}", markdown_line(&item.text));
            }
            out.push('\n');
        }
        Block::Table(t) => table_md(out, t),
        Block::Callout { tone, title, text } => {
            // "WARNING: Warning" or "FAIL: Verdict: FAIL" would say it twice.
            let label = tone.label();
            let says_it = title.to_lowercase().contains(&label.to_lowercase());
            if matches!(tone, Tone::Ok | Tone::Info) || says_it {
                let _ = writeln!(out, "> **{}**", md(title));
            } else {
                let _ = writeln!(out, "> **{label}: {}**", md(title));
            }
            if !text.is_empty() {
                let _ = writeln!(out, ">\n> {}", markdown_line(text));
            }
            out.push('\n');
        }
        Block::Finding(f) => {
            let _ = writeln!(
                out,
                "> **{}** {} — {}",
                f.severity.to_uppercase(),
                markdown_code(&f.code),
                md(&f.title)
            );
            if let Some(s) = &f.server_text {
                let label = crate::findings::evidence_label(&f.code);
                let _ = writeln!(out, ">\n> {label}: {}", markdown_code(s));
            }
            let _ = writeln!(out, ">\n> Why: {}", md(&f.explanation));
            let _ = writeln!(out, ">\n> Fix: {}\n", md(&f.fix));
        }
        Block::Code { caption, lines } => {
            if let Some(c) = caption {
                let _ = writeln!(out, "{}:\n", md(c));
            }
            let texts: Vec<String> = lines.iter().map(code_line).collect();
            let fence = markdown_fence(&texts);
            let _ = writeln!(out, "{fence}text");
            for t in &texts {
                let _ = writeln!(out, "{t}");
            }
            let _ = writeln!(out, "{fence}\n");
        }
        Block::Chart(chart) => chart_md(out, chart),
    }
}

fn code_line(l: &CodeLine) -> String {
    let text: String = l
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if l.prefix.is_empty() {
        text
    } else {
        format!("{} {text}", l.prefix)
    }
}

fn table_md(out: &mut String, t: &Table) {
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "**{}**\n", md(c));
    }
    let cell = |s: &str| if s.is_empty() { " ".to_owned() } else { md(s) };
    let _ = writeln!(
        out,
        "| {} |",
        t.columns
            .iter()
            .map(|c| cell(&c.title))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        out,
        "|{}|",
        t.columns
            .iter()
            .map(|c| match c.align {
                Align::Left => " --- ",
                Align::Right => " ---: ",
            })
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in &t.rows {
        let cells: Vec<String> = (0..t.columns.len())
            .map(|i| cell(row.get(i).map(String::as_str).unwrap_or("")))
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// A chart in Markdown is its data as a table.
fn chart_md(out: &mut String, chart: &Chart) {
    let mut columns = vec![Column {
        title: String::new(),
        align: Align::Left,
    }];
    columns.extend(chart.series.iter().map(|s| Column {
        title: s.name.clone(),
        align: Align::Right,
    }));
    let rows = chart
        .categories
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            let mut row = vec![cat.clone()];
            row.extend(chart.series.iter().map(|s| {
                s.values
                    .get(i)
                    .map(|v| format_value(*v))
                    .unwrap_or_default()
            }));
            row
        })
        .collect();
    let caption = if chart.unit.is_empty() {
        format!("Chart: {}", chart.title)
    } else {
        format!("Chart: {} ({})", chart.title, chart.unit)
    };
    table_md(
        out,
        &Table {
            caption: Some(caption),
            columns,
            rows,
        },
    );
}

/// A chart value with thousands separators and no more than two decimals.
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let cents = (v * 100.0).round() as i64;
    let s = super::build::format_money(cents, "");
    s.strip_suffix(".00").map(str::to_owned).unwrap_or(s)
}
