//! PDF output with pdf-writer: base-14 Helvetica/Courier in WinAnsi encoding (so text is
//! selectable and searchable), our own line wrapping, charts as vector paths, and
//! "Page N of M" on every page.

use super::chart::{Anchor, Shape, layout};
use super::escape::pdf_winansi;
use super::model::*;
use super::pdf_fonts::{Font, text_width};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// Paper size for PDF output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

type Rgb = (f32, f32, f32);

const INK: Rgb = (0.12, 0.16, 0.2);
const MUTED: Rgb = (0.32, 0.38, 0.43);
const RULE: Rgb = (0.85, 0.87, 0.89);
const HEAD_BG: Rgb = (0.95, 0.96, 0.97);
const BLUE: Rgb = (0.17, 0.42, 0.69);

fn tone_colors(t: Tone) -> (Rgb, Rgb) {
    match t {
        Tone::Ok => ((0.18, 0.52, 0.35), (0.94, 0.98, 0.96)),
        Tone::Info => (BLUE, (0.96, 0.97, 0.98)),
        Tone::Warn => ((0.72, 0.47, 0.12), (0.99, 0.97, 0.93)),
        Tone::Fail => ((0.77, 0.19, 0.19), (0.99, 0.95, 0.95)),
    }
}

fn rgb8((r, g, b): (u8, u8, u8)) -> Rgb {
    (
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
    )
}

/// One drawing operation on a page, in PDF coordinates (y up).
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        color: Rgb,
        bytes: Vec<u8>,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Stroke {
        points: Vec<(f32, f32)>,
        color: Rgb,
        width: f32,
    },
}

/// Flows blocks onto pages.
struct Layout {
    page_w: f32,
    page_h: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    y: f32,
    pages: Vec<Vec<Op>>,
}

const BODY: f32 = 9.5;
const SMALL: f32 = 8.3;
const MONO: f32 = 7.8;

impl Layout {
    fn new(paper: Paper) -> Layout {
        let (w, h) = paper.size();
        Layout {
            page_w: w,
            page_h: h,
            left: 50.0,
            right: w - 50.0,
            top: h - 52.0,
            bottom: 58.0,
            y: h - 52.0,
            pages: vec![Vec::new()],
        }
    }

    fn width(&self) -> f32 {
        self.right - self.left
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `h` points fit. Returns true when it did.
    fn ensure(&mut self, h: f32) -> bool {
        if self.y - h < self.bottom && self.y < self.top {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn text(&mut self, x: f32, baseline: f32, font: Font, size: f32, color: Rgb, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.ops().push(Op::Text {
                x,
                y: baseline,
                font,
                size,
                color,
                bytes,
            });
        }
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops().push(Op::Fill { x, y, w, h, color });
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, color: Rgb, width: f32) {
        self.ops().push(Op::Stroke {
            points: vec![(x1, y), (x2, y)],
            color,
            width,
        });
    }

    /// Wrapped text from the cursor; moves the cursor down.
    fn paragraph(&mut self, text: &str, font: Font, size: f32, indent: f32, color: Rgb) {
        let lead = size * 1.35;
        for line in wrap(&pdf_winansi(text), font, size, self.width() - indent) {
            self.ensure(lead);
            self.y -= lead;
            let (x, y) = (self.left + indent, self.y + size * 0.3);
            self.text(x, y, font, size, color, line);
        }
    }

    fn gap(&mut self, h: f32) {
        if self.y < self.top {
            self.y -= h;
        }
    }
}

/// Breaks WinAnsi text into lines no wider than `max` points. Words longer than a
/// line are cut.
fn wrap(text: &[u8], font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    let max = max.max(size * 2.0);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_w = 0.0;
    let space_w = text_width(font, size, b" ");
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_vec();
        let mut w = text_width(font, size, &word);
        if !line.is_empty() && line_w + space_w + w <= max {
            line.push(b' ');
            line.extend_from_slice(&word);
            line_w += space_w + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // Cut words that do not fit on a line of their own.
        while w > max {
            let mut cut = 0;
            let mut acc = 0.0;
            for (i, &b) in word.iter().enumerate() {
                let gw = text_width(font, size, &[b]);
                if acc + gw > max && i > 0 {
                    break;
                }
                acc += gw;
                cut = i + 1;
            }
            let rest = word.split_off(cut);
            lines.push(word);
            word = rest;
            w = text_width(font, size, &word);
        }
        line_w = w;
        line = word;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Renders the document as PDF bytes.
pub fn render(doc: &ReportDoc, paper: Paper) -> Vec<u8> {
    let mut l = Layout::new(paper);
    // Title block.
    l.paragraph(&doc.title, Font::Bold, 19.0, 0.0, INK);
    if let Some(s) = &doc.subtitle {
        l.gap(2.0);
        l.paragraph(s, Font::Bold, 12.0, 0.0, INK);
    }
    l.gap(2.0);
    l.paragraph(
        &format!(
            "Generated {} by mailplan {}",
            doc.stamp.display(),
            doc.stamp.mailplan_version
        ),
        Font::Regular,
        SMALL,
        0.0,
        MUTED,
    );
    l.gap(6.0);
    let (x1, x2, y) = (l.left, l.right, l.y);
    l.hline(x1, x2, y, BLUE, 2.0);
    l.gap(4.0);
    for section in &doc.sections {
        section_pdf(&mut l, section);
    }
    write_pdf(doc, &l)
}

fn section_pdf(l: &mut Layout, s: &Section) {
    let size = if s.level <= 1 { 14.0 } else { 11.5 };
    // Keep the heading with the start of what follows.
    l.ensure(size * 1.6 + 60.0);
    l.gap(if s.level <= 1 { 14.0 } else { 9.0 });
    l.paragraph(&s.heading, Font::Bold, size, 0.0, INK);
    if s.level <= 1 {
        l.gap(2.0);
        let (x1, x2, y) = (l.left, l.right, l.y);
        l.hline(x1, x2, y, RULE, 0.8);
    }
    l.gap(4.0);
    for b in &s.blocks {
        block_pdf(l, b);
    }
}

fn block_pdf(l: &mut Layout, block: &Block) {
    match block {
        Block::Paragraph { text } => {
            l.paragraph(text, Font::Regular, BODY, 0.0, INK);
            l.gap(4.0);
        }
        Block::Subheading { text } => {
            l.ensure(50.0);
            l.gap(4.0);
            l.paragraph(&text.to_uppercase(), Font::Bold, SMALL, 0.0, MUTED);
            l.gap(2.0);
        }
        Block::KeyValues { items } => key_values_pdf(l, items),
        Block::List { ordered, items } => {
            for (i, item) in items.iter().enumerate() {
                let lines = wrap(
                    &pdf_winansi(&item.text),
                    Font::Regular,
                    BODY,
                    l.width() - 18.0,
                );
                let lead = BODY * 1.35;
                for (j, line) in lines.into_iter().enumerate() {
                    l.ensure(lead);
                    l.y -= lead;
                    let base = l.y + BODY * 0.3;
                    if j == 0 {
                        match (item.checked, ordered) {
                            (Some(done), _) => {
                                let (x, s) = (l.left + 3.0, 7.0);
                                l.ops().push(Op::Stroke {
                                    points: vec![
                                        (x, base - 0.5),
                                        (x + s, base - 0.5),
                                        (x + s, base + s - 0.5),
                                        (x, base + s - 0.5),
                                        (x, base - 0.5),
                                    ],
                                    color: MUTED,
                                    width: 0.7,
                                });
                                if done {
                                    l.ops().push(Op::Stroke {
                                        points: vec![
                                            (x + 1.5, base + 3.0),
                                            (x + 3.0, base + 1.0),
                                            (x + 6.0, base + 6.0),
                                        ],
                                        color: (0.18, 0.52, 0.35),
                                        width: 1.2,
                                    });
                                }
                            }
                            (None, true) => {
                                let n = format!("{}.", i + 1).into_bytes();
                                l.text(l.left, base, Font::Regular, BODY, INK, n);
                            }
                            (None, false) => {
                                l.text(l.left + 4.0, base, Font::Regular, BODY, INK, vec![0x95]);
                            }
                        }
                    }
                    l.text(l.left + 18.0, base, Font::Regular, BODY, INK, line);
                }
            }
            l.gap(5.0);
        }
        Block::Table(t) => table_pdf(l, t),
        Block::Callout { tone, title, text } => {
            let mut lines = vec![(Font::Bold, BODY, title.as_str())];
            if !text.is_empty() {
                lines.push((Font::Regular, BODY, text.as_str()));
            }
            boxed_pdf(l, *tone, &lines);
        }
        Block::Finding(f) => {
            let head = format!(
                "{} \u{b7} {} \u{b7} {}",
                f.severity.to_uppercase(),
                f.code,
                f.title
            );
            let label = crate::findings::evidence_label(&f.code);
            let server = f.server_text.as_ref().map(|s| format!("{label}: {s}"));
            let why = format!("Why: {}", f.explanation);
            let fix = format!("Fix: {}", f.fix);
            let mut lines = vec![(Font::Bold, BODY, head.as_str())];
            if let Some(s) = &server {
                lines.push((Font::Mono, MONO + 0.5, s.as_str()));
            }
            lines.push((Font::Regular, BODY, why.as_str()));
            lines.push((Font::Regular, BODY, fix.as_str()));
            boxed_pdf(l, f.tone, &lines);
        }
        Block::Code { caption, lines } => code_pdf(l, caption.as_deref(), lines),
        Block::Chart(c) => chart_pdf(l, c),
    }
}

fn key_values_pdf(l: &mut Layout, items: &[(String, String)]) {
    let key_w = items
        .iter()
        .map(|(k, _)| text_width(Font::Bold, BODY, &pdf_winansi(k)) + 10.0)
        .fold(60.0_f32, f32::max)
        .min(l.width() * 0.32);
    let lead = BODY * 1.35;
    // Keep a short list together on one page.
    let total_rows: usize = items
        .iter()
        .map(|(k, v)| {
            let kl = wrap(&pdf_winansi(k), Font::Bold, BODY, key_w - 8.0).len();
            let vl = wrap(&pdf_winansi(v), Font::Regular, BODY, l.width() - key_w).len();
            kl.max(vl)
        })
        .sum();
    if total_rows <= 12 {
        l.ensure(total_rows as f32 * lead);
    }
    for (k, v) in items {
        let kl = wrap(&pdf_winansi(k), Font::Bold, BODY, key_w - 8.0);
        let vl = wrap(&pdf_winansi(v), Font::Regular, BODY, l.width() - key_w);
        let rows = kl.len().max(vl.len());
        // Keep short pairs together; long values may flow across pages.
        if rows <= 6 {
            l.ensure(rows as f32 * lead);
        }
        let mut kl = kl.into_iter();
        let mut vl = vl.into_iter();
        for _ in 0..rows {
            l.ensure(lead);
            l.y -= lead;
            let base = l.y + BODY * 0.3;
            if let Some(k) = kl.next() {
                l.text(l.left, base, Font::Bold, BODY, INK, k);
            }
            if let Some(v) = vl.next() {
                l.text(l.left + key_w, base, Font::Regular, BODY, INK, v);
            }
        }
    }
    l.gap(5.0);
}

/// A box with a coloured bar on the left; flows across pages when very long.
fn boxed_pdf(l: &mut Layout, tone: Tone, parts: &[(Font, f32, &str)]) {
    let (bar, bg) = tone_colors(tone);
    let pad = 6.0;
    let inner = l.width() - 2.0 * pad - 4.0;
    let mut lines: Vec<(Font, f32, Vec<u8>)> = Vec::new();
    for (font, size, text) in parts {
        for line in wrap(&pdf_winansi(text), *font, *size, inner) {
            lines.push((*font, *size, line));
        }
    }
    let heights: Vec<f32> = lines.iter().map(|(_, s, _)| s * 1.38).collect();
    let total: f32 = heights.iter().sum::<f32>() + 2.0 * pad;
    l.ensure(total.min(l.top - l.bottom));
    // Draw per line so the box can continue on the next page.
    let mut first = true;
    let n = lines.len();
    for (i, ((font, size, bytes), h)) in lines.into_iter().zip(heights).enumerate() {
        let top_pad = if first { pad } else { 0.0 };
        let bottom_pad = if i + 1 == n { pad } else { 0.0 };
        let need = h + top_pad + bottom_pad;
        if l.ensure(need) {
            first = true;
        }
        let top_pad = if first { pad } else { 0.0 };
        let h_all = h + top_pad + bottom_pad;
        let y0 = l.y - h_all;
        let (left, width) = (l.left, l.width());
        l.fill(left, y0, width, h_all, bg);
        l.fill(left, y0, 3.5, h_all, bar);
        let base = l.y - top_pad - h + size * 0.35;
        l.text(left + 4.0 + pad, base, font, size, INK, bytes);
        l.y = y0;
        first = false;
    }
    l.gap(7.0);
}

fn code_pdf(l: &mut Layout, caption: Option<&str>, lines: &[CodeLine]) {
    if let Some(c) = caption {
        l.ensure(40.0);
        l.paragraph(c, Font::Bold, SMALL, 0.0, MUTED);
        l.gap(2.0);
    }
    let lead = MONO * 1.3;
    let cols = ((l.width() - 10.0) / (MONO * 0.6)).floor().max(20.0) as usize;
    for line in lines {
        let mut text = pdf_winansi(&line.prefix);
        if !text.is_empty() {
            text.push(b' ');
        }
        let prefix_len = text.len();
        text.extend(pdf_winansi(&line.text));
        let color = match line.kind {
            LineKind::Client => (0.1, 0.4, 0.2),
            LineKind::Note => MUTED,
            _ => INK,
        };
        let indent = " ".repeat(prefix_len.min(cols / 2));
        let mut chunk_start = 0;
        let mut first = true;
        while chunk_start < text.len() || first {
            let room = if first { cols } else { cols - indent.len() };
            let end = (chunk_start + room).min(text.len());
            let mut bytes = if first {
                Vec::new()
            } else {
                indent.clone().into_bytes()
            };
            bytes.extend_from_slice(&text[chunk_start..end]);
            l.ensure(lead);
            let (left, width) = (l.left, l.width());
            l.fill(left, l.y - lead, width, lead, (0.96, 0.97, 0.97));
            l.y -= lead;
            let base = l.y + MONO * 0.35;
            l.text(left + 5.0, base, Font::Mono, MONO, color, bytes);
            chunk_start = end;
            first = false;
        }
    }
    l.gap(7.0);
}

fn table_pdf(l: &mut Layout, t: &Table) {
    let n = t.columns.len().max(1);
    let pad = 3.0;
    let size = SMALL;
    let enc = |s: &str| pdf_winansi(s);
    let header: Vec<Vec<u8>> = t.columns.iter().map(|c| enc(&c.title)).collect();
    let rows: Vec<Vec<Vec<u8>>> = t
        .rows
        .iter()
        .map(|r| {
            (0..n)
                .map(|i| enc(r.get(i).map(String::as_str).unwrap_or("")))
                .collect()
        })
        .collect();
    // Natural width: the widest cell; minimum: the widest word (capped).
    let avail = l.width();
    let mut natural = vec![0.0_f32; n];
    let mut minimum = vec![0.0_f32; n];
    for (i, h) in header.iter().enumerate() {
        natural[i] = text_width(Font::Bold, size, h) + 2.0 * pad;
        minimum[i] = longest_word(Font::Bold, size, h).min(avail / n as f32) + 2.0 * pad;
    }
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            natural[i] = natural[i].max(text_width(Font::Regular, size, c) + 2.0 * pad);
            minimum[i] = minimum[i]
                .max(longest_word(Font::Regular, size, c).min(avail / n as f32) + 2.0 * pad);
        }
    }
    let widths = column_widths(&natural, &minimum, avail);
    if let Some(c) = &t.caption {
        l.ensure(40.0);
        l.paragraph(c, Font::Bold, BODY, 0.0, INK);
        l.gap(2.0);
    }
    let lead = size * 1.3;
    let draw_row = |l: &mut Layout, cells: &[Vec<u8>], font: Font, bg: Option<Rgb>| {
        let wrapped: Vec<Vec<Vec<u8>>> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| wrap(c, font, size, w - 2.0 * pad))
            .collect();
        let max_lines = ((l.top - l.bottom - 2.0 * pad) / lead).floor().max(1.0) as usize;
        let lines = wrapped
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1)
            .clamp(1, max_lines);
        let h = lines as f32 * lead + 2.0 * pad;
        let paged = l.ensure(h);
        if let Some(bg) = bg {
            let (left, width) = (l.left, l.width());
            l.fill(left, l.y - h, width, h, bg);
        }
        let mut x = l.left;
        for ((cell_lines, w), col) in wrapped.into_iter().zip(&widths).zip(&t.columns) {
            for (j, line) in cell_lines.into_iter().take(lines).enumerate() {
                let base = l.y - pad - (j as f32 + 1.0) * lead + size * 0.3;
                let lx = match col.align {
                    Align::Left => x + pad,
                    Align::Right => x + w - pad - text_width(font, size, &line),
                };
                l.text(lx, base, font, size, INK, line);
            }
            x += w;
        }
        l.y -= h;
        let (left, right, y) = (l.left, l.right, l.y);
        l.hline(left, right, y, RULE, 0.6);
        paged
    };
    draw_row(l, &header, Font::Bold, Some(HEAD_BG));
    for r in &rows {
        // Measure by drawing; when the row moved to a new page, repeat the header first.
        let probe_h = {
            let wrapped_max = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| wrap(c, Font::Regular, size, w - 2.0 * pad).len())
                .max()
                .unwrap_or(1);
            wrapped_max as f32 * lead + 2.0 * pad
        };
        if l.y - probe_h < l.bottom {
            l.new_page();
            draw_row(l, &header, Font::Bold, Some(HEAD_BG));
        }
        draw_row(l, r, Font::Regular, None);
    }
    l.gap(8.0);
}

fn longest_word(font: Font, size: f32, text: &[u8]) -> f32 {
    text.split(|&b| b == b' ')
        .map(|w| text_width(font, size, w))
        .fold(0.0, f32::max)
}

/// Shares `avail` points between columns: every column gets at least its minimum (when
/// possible), then the rest goes to columns that want more, in proportion.
fn column_widths(natural: &[f32], minimum: &[f32], avail: f32) -> Vec<f32> {
    let total_nat: f32 = natural.iter().sum();
    if total_nat <= avail {
        // Everything fits on one line: spread the spare room evenly.
        let extra = (avail - total_nat) / natural.len().max(1) as f32;
        return natural.iter().map(|w| w + extra).collect();
    }
    let total_min: f32 = minimum.iter().sum();
    if total_min >= avail {
        return minimum.iter().map(|m| m * avail / total_min).collect();
    }
    let spare = avail - total_min;
    let want: Vec<f32> = natural
        .iter()
        .zip(minimum)
        .map(|(n, m)| (n - m).max(0.0))
        .collect();
    let total_want: f32 = want.iter().sum::<f32>().max(1e-3);
    minimum
        .iter()
        .zip(&want)
        .map(|(m, w)| m + spare * w / total_want)
        .collect()
}

fn chart_pdf(l: &mut Layout, chart: &Chart) {
    let h = 210.0;
    let w = l.width().min(470.0);
    l.ensure(h + 10.0);
    let lay = layout(chart, w, h);
    let (ox, oy) = (l.left, l.y);
    for s in &lay.shapes {
        match s {
            Shape::Rect { x, y, w, h, color } => l.fill(ox + x, oy - y - h, *w, *h, rgb8(*color)),
            Shape::Line {
                points,
                color,
                width,
            } => {
                let pts = points.iter().map(|(x, y)| (ox + x, oy - y)).collect();
                l.ops().push(Op::Stroke {
                    points: pts,
                    color: rgb8(*color),
                    width: *width,
                });
            }
            Shape::Text {
                x,
                y,
                text,
                size,
                anchor,
                color,
            } => {
                let font = if *size >= 10.0 {
                    Font::Bold
                } else {
                    Font::Regular
                };
                let bytes = pdf_winansi(text);
                let tw = text_width(font, *size, &bytes);
                let x = match anchor {
                    Anchor::Start => ox + x,
                    Anchor::Middle => ox + x - tw / 2.0,
                    Anchor::End => ox + x - tw,
                };
                l.text(x, oy - y, font, *size, rgb8(*color), bytes);
            }
        }
    }
    l.y -= h;
    l.gap(10.0);
}

fn write_pdf(doc: &ReportDoc, l: &Layout) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let fonts = [
        (Font::Regular, Ref::new(4)),
        (Font::Bold, Ref::new(5)),
        (Font::Mono, Ref::new(6)),
    ];
    let first_page = 10;
    let count = l.pages.len();
    let page_ref = |i: usize| Ref::new(first_page + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(first_page + 2 * i as i32 + 1);

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..count).map(page_ref))
        .count(count as i32);
    {
        let mut di = pdf.document_info(info);
        di.title(TextStr(&doc.title));
        di.creator(TextStr(&format!("mailplan {}", doc.stamp.mailplan_version)));
        di.producer(TextStr("mailplan (pdf-writer)"));
        if let Some(d) = pdf_date(&doc.stamp.rfc3339) {
            di.creation_date(d);
        }
        di.finish();
    }
    for (font, id) in fonts {
        pdf.type1_font(id)
            .base_font(Name(font.base_name()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let footer_title = pdf_winansi(&doc.title);
    for (i, ops) in l.pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, l.page_w, l.page_h));
        page.parent(tree);
        page.contents(content_ref(i));
        {
            let mut res = page.resources();
            let mut f = res.fonts();
            for (font, id) in fonts {
                f.pair(Name(font.resource()), id);
            }
        }
        page.finish();

        let mut c = Content::new();
        for op in ops {
            draw(&mut c, op);
        }
        // Footer: title on the left, "Page N of M" on the right.
        let base = 32.0;
        c.set_stroke_rgb(RULE.0, RULE.1, RULE.2);
        c.set_line_width(0.6);
        c.move_to(l.left, base + 10.0);
        c.line_to(l.right, base + 10.0);
        c.stroke();
        draw(
            &mut c,
            &Op::Text {
                x: l.left,
                y: base,
                font: Font::Regular,
                size: 7.5,
                color: MUTED,
                bytes: footer_title.clone(),
            },
        );
        let label = format!("Page {} of {}", i + 1, count).into_bytes();
        let lw = text_width(Font::Regular, 7.5, &label);
        draw(
            &mut c,
            &Op::Text {
                x: l.right - lw,
                y: base,
                font: Font::Regular,
                size: 7.5,
                color: MUTED,
                bytes: label,
            },
        );
        pdf.stream(content_ref(i), &c.finish());
    }
    pdf.finish()
}

fn draw(c: &mut Content, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            font,
            size,
            color,
            bytes,
        } => {
            c.begin_text();
            c.set_fill_rgb(color.0, color.1, color.2);
            c.set_font(Name(font.resource()), *size);
            c.next_line(*x, *y);
            c.show(Str(bytes));
            c.end_text();
        }
        Op::Fill { x, y, w, h, color } => {
            c.set_fill_rgb(color.0, color.1, color.2);
            c.rect(*x, *y, *w, *h);
            c.fill_nonzero();
        }
        Op::Stroke {
            points,
            color,
            width,
        } => {
            if let Some(((x0, y0), rest)) = points.split_first() {
                c.set_stroke_rgb(color.0, color.1, color.2);
                c.set_line_width(*width);
                c.move_to(*x0, *y0);
                for (x, y) in rest {
                    c.line_to(*x, *y);
                }
                c.stroke();
            }
        }
    }
}

/// The PDF creation date from the stamp's RFC 3339 time.
fn pdf_date(rfc3339: &str) -> Option<Date> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    use chrono::{Datelike, Timelike};
    let offset = t.offset().local_minus_utc();
    Some(
        Date::new(u16::try_from(t.year()).ok()?)
            .month(t.month() as u8)
            .day(t.day() as u8)
            .hour(t.hour() as u8)
            .minute(t.minute() as u8)
            .second(t.second() as u8)
            .utc_offset_hour((offset / 3600) as i8)
            .utc_offset_minute(((offset.abs() % 3600) / 60) as u8),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_and_cuts_long_words() {
        let lines = wrap(b"aaaa bbbb cccc", Font::Mono, 10.0, 50.0);
        assert_eq!(
            lines,
            vec![b"aaaa".to_vec(), b"bbbb".to_vec(), b"cccc".to_vec()]
        );
        let long = vec![b'x'; 50];
        let lines = wrap(&long, Font::Mono, 10.0, 60.0);
        assert!(lines.iter().all(|l| l.len() <= 10), "{lines:?}");
        assert_eq!(lines.concat().len(), 50);
    }

    #[test]
    fn column_widths_fill_the_page() {
        let w = column_widths(&[100.0, 400.0], &[40.0, 60.0], 300.0);
        assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.1);
        assert!(w[0] >= 40.0 && w[1] >= 60.0);
    }
}
