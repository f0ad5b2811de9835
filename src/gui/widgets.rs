//! Small widgets shared by the pages: labelled inputs, jargon with explanations, verdict colours,
//! and the password buffer.

use crate::findings::{Severity, Verdict};
use egui::{Color32, RichText, Ui};
use zeroize::Zeroizing;

/// Plain-language explanations of the mail jargon the app uses.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "MX",
        "Mail exchanger: the DNS record naming the servers that receive mail for a domain. Whoever the MX points to gets your incoming mail first.",
    ),
    (
        "STARTTLS",
        "A command that turns an unencrypted connection into an encrypted one after it has started (ports 110, 143, 587, 25). If the server does not offer it, passwords travel in clear text.",
    ),
    (
        "TLS",
        "Transport Layer Security: the encryption used between mail clients and servers. 'TLS from the start' means ports 995, 993 and 465.",
    ),
    (
        "dual delivery",
        "Every incoming message is delivered to two systems: the old on-premises server and the new hosted service, so both have a copy during a trial or migration.",
    ),
    (
        "POP3",
        "Post Office Protocol 3: the client downloads messages, usually removing them from the server. Folders, read status and sent mail are not kept in sync between devices.",
    ),
    (
        "IMAP",
        "Internet Message Access Protocol: mail stays on the server and every device sees the same folders, read status and sent mail.",
    ),
    (
        "SMTP",
        "Simple Mail Transfer Protocol: how mail is sent, from clients to servers (submission, port 587 or 465) and between servers (port 25).",
    ),
    (
        "SPF",
        "A DNS record listing which servers may send mail for the domain.",
    ),
    (
        "DKIM",
        "A signature added to outgoing mail so receivers can check it came from the domain and was not changed.",
    ),
    (
        "DMARC",
        "A DNS policy telling receivers what to do with mail that fails SPF and DKIM checks, and where to send reports.",
    ),
    (
        "NPV",
        "Net present value: future costs discounted to today's money, so multi-year options can be compared fairly.",
    ),
    ("seat", "One user who needs a mailbox licence."),
    (
        "SOX",
        "The Sarbanes-Oxley Act: US public companies must keep financial records, including relevant mail, unaltered and retrievable.",
    ),
];

/// The explanation of a glossary term, matched without regard to case.
pub fn explain(term: &str) -> Option<&'static str> {
    GLOSSARY
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(term))
        .map(|(_, e)| *e)
}

/// A jargon word, dotted-underlined, with its explanation on hover.
pub fn jargon(ui: &mut Ui, term: &str) -> egui::Response {
    let text = RichText::new(term).underline();
    let r = ui.label(text);
    match explain(term) {
        Some(e) => r.on_hover_text(e),
        None => r,
    }
}

/// A row of text where some words are jargon with tooltips: `parts` alternate plain text and terms.
/// Example: `text_with_terms(ui, &[("Test ", false), ("STARTTLS", true), (" support", false)])`.
pub fn text_with_terms(ui: &mut Ui, parts: &[(&str, bool)]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for (text, is_term) in parts {
            if *is_term {
                jargon(ui, text);
            } else {
                ui.label(*text);
            }
        }
    });
}

/// A single-line text field with a visible label that also names it for screen readers and tests.
pub fn labelled_text(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    width: f32,
) -> egui::Response {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(l.id)
}

/// A field's validation message in the error colour, or nothing.
pub fn field_error(ui: &mut Ui, message: Option<&str>) {
    if let Some(m) = message {
        ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {m}"));
    }
}

/// Colour of a verdict, readable on light and dark backgrounds.
pub fn verdict_color(ui: &Ui, verdict: Verdict) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (verdict, dark) {
        (Verdict::Ok, false) => Color32::from_rgb(0x1b, 0x7a, 0x34),
        (Verdict::Ok, true) => Color32::from_rgb(0x5c, 0xd0, 0x7a),
        (Verdict::Warn, false) => Color32::from_rgb(0x9a, 0x62, 0x00),
        (Verdict::Warn, true) => Color32::from_rgb(0xf0, 0xb4, 0x3c),
        (Verdict::Fail, false) => Color32::from_rgb(0xb0, 0x1e, 0x1e),
        (Verdict::Fail, true) => Color32::from_rgb(0xff, 0x77, 0x70),
    }
}

/// An icon and word for a verdict.
pub fn verdict_badge(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "✔ OK",
        Verdict::Warn => "⚠ Warning",
        Verdict::Fail => "✖ Failed",
    }
}

/// Colour for a finding's severity.
pub fn severity_color(ui: &Ui, severity: Severity) -> Color32 {
    match severity {
        Severity::Info => ui.visuals().text_color(),
        Severity::Warning => verdict_color(ui, Verdict::Warn),
        Severity::Error => verdict_color(ui, Verdict::Fail),
    }
}

pub fn severity_icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "ℹ",
        Severity::Warning => "⚠",
        Severity::Error => "✖",
    }
}

/// A framed warning strip, e.g. while certificate checks are off.
pub fn warning_banner(ui: &mut Ui, text: &str) {
    let color = verdict_color(ui, Verdict::Warn);
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.5, color))
        .fill(color.gamma_multiply(0.12))
        .corner_radius(4.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.colored_label(color, RichText::new(text).strong());
        });
}

/// A rounded card frame for results and scenario summaries.
pub fn card_frame(ui: &Ui, accent: Option<Color32>) -> egui::Frame {
    let stroke = match accent {
        Some(c) => egui::Stroke::new(1.5, c),
        None => ui.visuals().widgets.noninteractive.bg_stroke,
    };
    egui::Frame::group(ui.style())
        .stroke(stroke)
        .corner_radius(6.0)
        .inner_margin(10.0)
}

/// A password typed into the app. The text lives in memory that is wiped when it is dropped or
/// grows (it is never reallocated in place), is never serialised, and `Debug` hides it.
pub struct PasswordBuffer {
    text: Zeroizing<String>,
}

impl Default for PasswordBuffer {
    fn default() -> Self {
        PasswordBuffer {
            text: Zeroizing::new(String::with_capacity(64)),
        }
    }
}

impl std::fmt::Debug for PasswordBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordBuffer(****)")
    }
}

impl PasswordBuffer {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// A copy as a [`Secret`](crate::secret::Secret) for the check that sends it.
    pub fn to_secret(&self) -> crate::secret::Secret {
        crate::secret::Secret::new(self.text.as_str().to_owned())
    }

    /// Wipes the password.
    pub fn wipe(&mut self) {
        *self = PasswordBuffer::default();
    }

    /// Makes room for `extra` more bytes without letting `String` reallocate (which would leave a
    /// copy behind in freed memory): moves to a bigger wiped-on-drop buffer instead.
    fn reserve(&mut self, extra: usize) {
        let needed = self.text.len() + extra;
        if needed > self.text.capacity() {
            let mut bigger =
                Zeroizing::new(String::with_capacity(needed.max(self.text.capacity() * 2)));
            bigger.push_str(&self.text);
            self.text = bigger; // the old buffer is wiped as it drops
        }
    }
}

impl egui::TextBuffer for PasswordBuffer {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        self.text.as_str()
    }

    fn insert_text(&mut self, text: &str, char_index: egui::text::CharIndex) -> usize {
        self.reserve(text.len());
        let byte = self.byte_index_from_char_index(char_index);
        self.text.insert_str(byte.into(), text);
        text.chars().count()
    }

    fn delete_char_range(&mut self, char_range: std::ops::Range<egui::text::CharIndex>) {
        let start: usize = self.byte_index_from_char_index(char_range.start).into();
        let end: usize = self.byte_index_from_char_index(char_range.end).into();
        if start <= end && end <= self.text.len() {
            // `drain` shifts bytes left inside the same buffer; the tail bytes left over are
            // overwritten by later inserts or wiped on drop.
            self.text.drain(start..end);
        }
    }

    fn clear(&mut self) {
        self.wipe();
    }

    fn replace_with(&mut self, text: &str) {
        self.wipe();
        self.reserve(text.len());
        self.text.push_str(text);
    }

    fn take(&mut self) -> String {
        // Never hand out the password as a plain String; callers get nothing.
        self.wipe();
        String::new()
    }

    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

/// A masked password field bound to `buffer`. egui keeps undo copies of what a field held, so they
/// are dropped each frame for this field.
pub fn password_field(ui: &mut Ui, label: &str, buffer: &mut PasswordBuffer) -> egui::Response {
    let l = ui.label(label);
    let output = egui::TextEdit::singleline(buffer)
        .password(true)
        .hint_text("not saved")
        .desired_width(200.0)
        .show(ui);
    let mut state = output.state;
    state.clear_undoer();
    state.store(ui.ctx(), output.response.response.id);
    output.response.response.labelled_by(l.id)
}
