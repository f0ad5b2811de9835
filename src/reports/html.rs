//! HTML output: one self-contained file. Inline CSS (with print rules that suit A4 and
//! Letter), charts as inline SVG, no scripts and no external requests.

use super::chart::{Anchor, Shape, layout};
use super::escape::html as esc;
use super::model::*;
use std::fmt::Write;

const CSS: &str = r#"
:root { --ink:#1f2933; --muted:#52606d; --line:#d9dee4; --ok:#2f855a; --info:#2b6cb0; --warn:#b7791f; --fail:#c53030; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  line-height: 1.45; margin: 0 auto; padding: 2rem 1.5rem 3rem; max-width: 60rem; font-size: 1rem; }
header { border-bottom: 3px solid var(--info); padding-bottom: .6rem; margin-bottom: 1.2rem; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
.subtitle { font-size: 1.1rem; font-weight: 600; margin: 0 0 .2rem; }
.stamp { color: var(--muted); font-size: .9rem; margin: 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: .95rem; margin: 1rem 0 .35rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
p { margin: .4rem 0 .7rem; }
dl.kv { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: .15rem 1rem; margin: .4rem 0 .9rem; }
dl.kv dt { font-weight: 600; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; white-space: nowrap; }
ul, ol { margin: .3rem 0 .9rem; padding-left: 1.4rem; }
li { margin: .1rem 0; }
ul.checklist { list-style: none; padding-left: .2rem; }
.box { display: inline-block; width: 1.4em; font-weight: 700; }
.callout, .finding { border-left: 5px solid var(--info); background: #f5f8fb; padding: .55rem .8rem; margin: .6rem 0 .9rem; border-radius: 3px; }
.tone-ok { border-left-color: var(--ok); background: #f0faf4; }
.tone-warn { border-left-color: var(--warn); background: #fdf8ec; }
.tone-fail { border-left-color: var(--fail); background: #fdf2f2; }
.callout p:last-child, .finding p:last-child { margin-bottom: 0; }
.callout .title, .finding .title { font-weight: 700; margin: 0 0 .2rem; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; padding: .05rem .4rem; border-radius: 3px; color: #fff; background: var(--info); margin-right: .4rem; vertical-align: 1px; }
.badge.tone-ok { background: var(--ok); } .badge.tone-warn { background: var(--warn); } .badge.tone-fail { background: var(--fail); }
code, pre, .server { font-family: "SFMono-Regular", Consolas, "Liberation Mono", Menlo, monospace; font-size: .85em; }
.finding .server { display: block; background: #fff; border: 1px solid var(--line); padding: .25rem .45rem; margin: .2rem 0 .4rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.finding .label { font-weight: 600; }
.finding p { margin: .2rem 0; }
figure { margin: .5rem 0 1rem; }
figure svg { width: 100%; max-width: 40rem; height: auto; display: block; }
pre.transcript { background: #1f2933; color: #e4e7eb; padding: .6rem .8rem; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.35; }
pre.transcript .client { color: #9ae6b4; } pre.transcript .note { color: #a0aec0; font-style: italic; } pre.transcript .prefix { color: #a0aec0; }
.codecap { font-weight: 600; margin: .6rem 0 .2rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  @page { margin: 14mm 12mm 16mm; }
  html { font-size: 10pt; }
  body { max-width: none; padding: 0 2px; }
  header { border-bottom-width: 2px; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h2 { margin-top: 1.2rem; }
  .callout, .finding, figure, tr, dl.kv { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  pre.transcript { background: #fff; color: #000; border: 1px solid #999; font-size: 8pt; }
  pre.transcript .client, pre.transcript .note, pre.transcript .prefix { color: #333; }
  .callout, .finding, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Ok => "tone-ok",
        Tone::Info => "tone-info",
        Tone::Warn => "tone-warn",
        Tone::Fail => "tone-fail",
    }
}

/// Renders the document as a self-contained HTML page.
pub fn render(doc: &ReportDoc) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Forbid anything the page itself did not bring, should an escape ever be missed.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"mailplan {}\">",
        esc(&doc.stamp.mailplan_version)
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&doc.title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str("<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&doc.title));
    if let Some(s) = &doc.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", esc(s));
    }
    let _ = writeln!(
        out,
        "<p class=\"stamp\">Generated {} by mailplan {}</p>",
        esc(&doc.stamp.display()),
        esc(&doc.stamp.mailplan_version)
    );
    out.push_str("</header>\n<main>\n");
    for section in &doc.sections {
        let tag = if section.level <= 1 { "h2" } else { "h3" };
        let _ = writeln!(out, "<section id=\"{}\">", esc(&section.id));
        let _ = writeln!(out, "<{tag}>{}</{tag}>", esc(&section.heading));
        for block in &section.blocks {
            block_html(&mut out, block);
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "</main>\n<footer>{} · generated {} · mailplan {}</footer>\n</body>\n</html>",
        esc(&doc.title),
        esc(&doc.stamp.display()),
        esc(&doc.stamp.mailplan_version)
    );
    out
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph { text } => {
            let _ = writeln!(out, "<p>{}</p>", esc(text));
        }
        Block::Subheading { text } => {
            let _ = writeln!(out, "<h4>{}</h4>", esc(text));
        }
        Block::KeyValues { items } => {
            out.push_str("<dl class=\"kv\">\n");
            for (k, v) in items {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
            }
            out.push_str("</dl>\n");
        }
        Block::List { ordered, items } => {
            let checklist = items.iter().any(|i| i.checked.is_some());
            let tag = if *ordered && !checklist { "ol" } else { "ul" };
            let class = if checklist {
                " class=\"checklist\""
            } else {
                ""
            };
            let _ = writeln!(out, "<{tag}{class}>");
            for (n, item) in items.iter().enumerate() {
                match item.checked {
                    Some(done) => {
                        let mark = if done { "☑" } else { "☐" };
                        let num = if *ordered {
                            format!("{}. ", n + 1)
                        } else {
                            String::new()
                        };
                        let _ = writeln!(
                            out,
                            "<li><span class=\"box\">{mark}</span>{num}{}</li>",
                            esc(&item.text)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "<li>{}</li>", esc(&item.text));
                    }
                }
            }
            let _ = writeln!(out, "</{tag}>");
        }
        Block::Table(t) => table_html(out, t),
        Block::Callout { tone, title, text } => {
            let _ = writeln!(
                out,
                "<div class=\"callout {}\"><p class=\"title\">{}</p>{}</div>",
                tone_class(*tone),
                esc(title),
                if text.is_empty() {
                    String::new()
                } else {
                    format!("<p>{}</p>", esc(text))
                }
            );
        }
        Block::Finding(f) => {
            let cls = tone_class(f.tone);
            let _ = write!(
                out,
                "<div class=\"finding {cls}\"><p class=\"title\"><span class=\"badge {cls}\">{}</span><code>{}</code> {}</p>",
                esc(&f.severity.to_uppercase()),
                esc(&f.code),
                esc(&f.title)
            );
            if let Some(s) = &f.server_text {
                let _ = write!(
                    out,
                    "<p><span class=\"label\">{}:</span><span class=\"server\">{}</span></p>",
                    crate::findings::evidence_label(&f.code),
                    esc(s)
                );
            }
            let _ = writeln!(
                out,
                "<p><span class=\"label\">Why:</span> {}</p><p><span class=\"label\">Fix:</span> {}</p></div>",
                esc(&f.explanation),
                esc(&f.fix)
            );
        }
        Block::Code { caption, lines } => {
            if let Some(c) = caption {
                let _ = writeln!(out, "<p class=\"codecap\">{}</p>", esc(c));
            }
            out.push_str("<pre class=\"transcript\">");
            for l in lines {
                let class = match l.kind {
                    LineKind::Client => "client",
                    LineKind::Server => "server-line",
                    LineKind::Note => "note",
                    LineKind::Plain => "plain",
                };
                let _ = write!(out, "<span class=\"{class}\">");
                if !l.prefix.is_empty() {
                    let _ = write!(out, "<span class=\"prefix\">{}</span> ", esc(&l.prefix));
                }
                let _ = writeln!(out, "{}</span>", esc(&l.text));
            }
            out.push_str("</pre>\n");
        }
        Block::Chart(c) => chart_html(out, c),
    }
}

fn table_html(out: &mut String, t: &Table) {
    out.push_str("<table>\n");
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "<caption>{}</caption>", esc(c));
    }
    out.push_str("<thead><tr>");
    for c in &t.columns {
        let class = if c.align == Align::Right {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", esc(&c.title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in t.columns.iter().enumerate() {
            let class = if c.align == Align::Right {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td{class}>{}</td>",
                esc(row.get(i).map(String::as_str).unwrap_or(""))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn chart_html(out: &mut String, chart: &Chart) {
    // Laid out smaller than it is shown, so labels come out at a readable size.
    let l = layout(chart, 520.0, 250.0);
    let _ = write!(
        out,
        "<figure><svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" font-family=\"Helvetica, Arial, sans-serif\"><title>{}</title>",
        l.width,
        l.height,
        esc(&chart.title),
        esc(&chart.title)
    );
    for s in &l.shapes {
        match s {
            Shape::Rect { x, y, w, h, color } => {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                    rgb(*color)
                );
            }
            Shape::Line {
                points,
                color,
                width,
            } => {
                let pts = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let _ = write!(
                    out,
                    "<polyline points=\"{pts}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                    rgb(*color)
                );
            }
            Shape::Text {
                x,
                y,
                text,
                size,
                anchor,
                color,
            } => {
                let a = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let weight = if *size >= 10.0 {
                    " font-weight=\"bold\""
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\"{weight} text-anchor=\"{a}\" fill=\"{}\">{}</text>",
                    rgb(*color),
                    esc(text)
                );
            }
        }
    }
    out.push_str("</svg></figure>\n");
}
