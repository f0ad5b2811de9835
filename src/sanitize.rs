//! Making untrusted text (server banners, file contents) safe for each output.
//!
//! Terminal output strips control characters and escape sequences. Report writers
//! have their own escapers in `reports`; they start from [`strip_controls`].

/// What stands in for a removed control character or escape sequence (U+FFFD, the
/// replacement character).
pub const REMOVED: char = '\u{fffd}';

/// Replaces ANSI/VT escape sequences and control characters (except tab) with one
/// [`REMOVED`] mark each, so a reader sees that something was there without the terminal
/// acting on it. Line breaks become spaces: one server line stays one output line.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                out.push(REMOVED);
                // CSI: ESC [ params final-byte; OSC: ESC ] ... BEL or ESC \ ; others: ESC + one char.
                match chars.peek() {
                    Some('[') => {
                        chars.next();
                        for c in chars.by_ref() {
                            if ('\u{40}'..='\u{7e}').contains(&c) {
                                break;
                            }
                        }
                    }
                    Some(']') => {
                        chars.next();
                        while let Some(c) = chars.next() {
                            if c == '\u{7}' {
                                break;
                            }
                            if c == '\u{1b}' {
                                chars.next();
                                break;
                            }
                        }
                    }
                    Some(_) => {
                        chars.next();
                    }
                    None => {}
                }
            }
            '\t' => out.push('\t'),
            '\r' | '\n' => out.push(' '),
            // Unicode bidi overrides can disguise text in terminals and reports.
            c if is_bidi_override(c) => out.push(REMOVED),
            c if c.is_control() => out.push(REMOVED),
            c => out.push(c),
        }
    }
    out
}

/// Writes, in JSON text, every character that a terminal or a text viewer could act on or that
/// reorders text (C1 controls such as U+009B, the 8-bit CSI; bidi overrides, isolates and marks)
/// as a `\uXXXX` escape. serde_json escapes only characters below U+0020. The JSON keeps the same
/// value: only its spelling changes. Safe on any serde_json output, whose structure is ASCII, so
/// these characters can only stand inside strings.
pub fn json_escape_invisible(json: String) -> String {
    if !json.chars().any(is_invisible_in_json) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_invisible_in_json(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_invisible_in_json(c: char) -> bool {
    is_bidi_override(c)
        || matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        )
}

/// Unicode bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make text
/// read differently from what it is, in terminals, file names and spreadsheets alike.
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_value_but_not_raw_c1_or_bidi_characters() {
        let value = serde_json::json!({"banner": "+OK \u{9b}2J \u{202e}rtl \u{7f} é ok"});
        let text = json_escape_invisible(serde_json::to_string(&value).unwrap());
        assert!(
            text.contains("\\u009b2J") && text.contains("\\u202ertl") && text.contains("\\u007f"),
            "{text}"
        );
        assert!(
            !text
                .chars()
                .any(|c| ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{202e}')
        );
        assert!(text.contains('é'), "ordinary non-ASCII text stays as it is");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn strips_escapes_and_controls() {
        assert_eq!(
            strip_controls("ok\u{1b}[31mred\u{1b}[0m"),
            "ok\u{fffd}red\u{fffd}"
        );
        assert_eq!(strip_controls("a\u{1b}]0;title\u{7}b"), "a\u{fffd}b");
        assert_eq!(
            strip_controls("nul\0 bell\u{7}"),
            "nul\u{fffd} bell\u{fffd}"
        );
        assert_eq!(strip_controls("two\r\nlines"), "two  lines");
        assert_eq!(strip_controls("tab\tkept"), "tab\tkept");
        assert_eq!(strip_controls("\u{202e}evil"), "\u{fffd}evil");
    }
}
