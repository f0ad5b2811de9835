//! Escaping text for each output format. Report text has already been cleaned of
//! control characters ([`super::build::Cleaner`]); these make what is left inert.

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes inline Markdown text (also safe inside a GFM table cell).
///
/// Emphasis, links, inline HTML, autolinks, entity references and pipes are
/// neutralised with backslashes. Use [`markdown_line`] for text that starts a line.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            // GitHub-flavoured renderers turn bare "scheme://...", "www.x" and e-mail addresses
            // into links; an escaped ':', '.' or '@' is shown as it is but no longer starts one.
            '@' => out.push_str("\\@"),
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str("\\:");
            }
            '.' if i >= 3
                && chars[i - 3..i].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
                && (i == 3 || !chars[i - 4].is_alphanumeric()) =>
            {
                out.push_str("\\.");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Like [`markdown`], for text at the start of a line (a paragraph, a list item): also
/// neutralises what would start a heading, list, quote, rule or setext underline.
pub fn markdown_line(text: &str) -> String {
    let mut out = markdown(text);
    let trimmed = out.trim_start();
    let lead = out.len() - trimmed.len();
    let mut chars = trimmed.chars();
    let first = chars.next();
    let second = chars.next();
    let spaced = |c: Option<char>| c.is_none_or(char::is_whitespace);
    match first {
        Some('#' | '=') => out.insert(lead, '\\'),
        Some('-' | '+') if spaced(second) || trimmed.chars().all(|c| c == '-' || c == ' ') => {
            out.insert(lead, '\\')
        }
        Some(c) if c.is_ascii_digit() => {
            // "1. text" or "1) text" would start an ordered list.
            let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
            let mut rest = trimmed[digits..].chars();
            if matches!(rest.next(), Some('.' | ')')) && spaced(rest.next()) {
                out.insert(lead + digits, '\\');
            }
        }
        _ => {}
    }
    out
}

/// Text as a Markdown code span (shown literally: no HTML, no links, no emphasis).
/// Pipes are still escaped, so it is safe in a table cell too.
pub fn markdown_code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().is_empty() {
        return "` `".into();
    }
    let longest = longest_run(&text, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// A code fence long enough that none of `lines` can close it.
pub fn markdown_fence(lines: &[String]) -> String {
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Makes a CSV cell safe to open in a spreadsheet: a cell that starts (after any
/// spaces) with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe,
/// so it is shown as text and never evaluated as a formula.
pub fn csv_cell(text: &str) -> String {
    let first = text.trim_start_matches(' ').chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r'))
        || text.starts_with('\t')
        || text.starts_with('\r')
    {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Encodes text for a PDF base-14 font with WinAnsiEncoding. Characters outside it
/// become `?`; control characters are dropped.
pub fn pdf_winansi(text: &str) -> Vec<u8> {
    text.chars().filter_map(winansi_byte).collect()
}

/// The WinAnsi byte of one character (`?` when it has none), `None` for controls.
pub fn winansi_byte(c: char) -> Option<u8> {
    let code = c as u32;
    Some(match c {
        '\t' => b' ',
        c if c.is_control() => return None,
        _ if (0x20..0x7f).contains(&code) => code as u8,
        _ if (0xa0..=0xff).contains(&code) => code as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        // Arrows and the like have no WinAnsi code: use a readable stand-in.
        '→' => b'>',
        '←' => b'<',
        '✓' => b'x',
        '\u{200b}' | '\u{feff}' => return None,
        _ => b'?',
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bare URLs from servers do not become links in renderers that auto-link them (found by a
    /// fresh-eyed review); the text still reads the same.
    #[test]
    fn markdown_bare_urls_are_not_links() {
        assert_eq!(
            markdown("see http://evil.example/x.png"),
            "see http\\://evil.example/x.png"
        );
        assert_eq!(markdown("HTTPS://a.b"), "HTTPS\\://a.b");
        assert_eq!(
            markdown("go www.evil.example now"),
            "go www\\.evil.example now"
        );
        assert_eq!(markdown("WWW.x"), "WWW\\.x");
        assert_eq!(markdown("attacker@evil.example"), "attacker\\@evil.example");
        // Not a URL: left alone.
        assert_eq!(markdown("a: b, awww.x, 10:30"), "a: b, awww.x, 10:30");
    }

    #[test]
    fn html_is_inert() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn markdown_specials_are_escaped() {
        assert_eq!(
            markdown("a*b*_c_ [x](y) <b>"),
            r"a\*b\*\_c\_ \[x\](y) \<b\>"
        );
        assert_eq!(markdown_line("# not a heading"), r"\# not a heading");
        assert_eq!(markdown_line("1. not a list"), r"1\. not a list");
        assert_eq!(markdown_line("- not a list"), r"\- not a list");
        assert_eq!(markdown_line("---"), r"\---");
        assert_eq!(markdown_line("-ERR fine"), "-ERR fine");
        assert_eq!(markdown_line("8.2 fine"), "8.2 fine");
        assert_eq!(markdown("# fine inline"), "# fine inline");
        assert_eq!(markdown("a|b"), r"a\|b");
        assert_eq!(markdown("&lt;"), r"\&lt;");
        assert_eq!(markdown("5,800 seats"), "5,800 seats");
    }

    #[test]
    fn markdown_code_spans_survive_backticks() {
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
        assert_eq!(markdown_code("a|b"), r"`a\|b`");
        assert_eq!(markdown_fence(&["```".into()]), "````");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for s in ["+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1"] {
            assert!(csv_cell(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn pdf_text_is_winansi_or_question_marks() {
        assert_eq!(
            pdf_winansi("Zürich €5 – ok"),
            b"Z\xfcrich \x805 \x96 ok".to_vec()
        );
        assert_eq!(pdf_winansi("日本"), b"??".to_vec());
        assert_eq!(pdf_winansi("a\u{7}b"), b"ab".to_vec());
    }
}
