//! Reading the newest message's headers (`--inspect-latest`): Date: and Received: times.

use super::LatestMessage;
use super::engine::Run;
use chrono::{DateTime, FixedOffset};

/// Dates further apart than this are reported.
const FAR: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Unfolds a header block into (name, value) pairs, in order. Stops at the first empty line.
pub fn parse_headers(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
}

/// Parses an RFC 5322 date, tolerating a trailing comment such as "(UTC)".
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let mut t = text.trim().to_owned();
    if let Some(i) = t.find('(') {
        t.truncate(i);
    }
    // Years past 9999 parse, but cannot be written back as RFC 2822 (chrono panics): treat them
    // as the odd dates they are.
    DateTime::parse_from_rfc2822(t.trim())
        .ok()
        .filter(|d| (0..=9999).contains(&chrono::Datelike::year(d)))
}

/// The time at the end of a Received: header (after the last ';').
pub fn received_time(value: &str) -> Option<DateTime<FixedOffset>> {
    value.rsplit_once(';').and_then(|(_, d)| parse_date(d))
}

/// Adds findings and `latest_message` for a header block.
pub fn report(run: &mut Run, block: &str) {
    let headers = parse_headers(block);
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let date = get("Date");
    let received = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Received"))
        .find_map(|(_, v)| received_time(v));
    run.latest = Some(LatestMessage {
        date_header: date.clone(),
        newest_received: received.map(|d| d.to_rfc2822()),
        subject: get("Subject"),
    });
    match date {
        None => {
            run.add("message.date_missing", None);
        }
        Some(d) => match parse_date(&d) {
            None => {
                run.add("message.date_odd", Some(&format!("Date: {d}")));
            }
            Some(parsed) => {
                if let Some(r) = received {
                    let diff = (parsed - r).abs();
                    if diff > FAR {
                        let hours = diff.num_minutes() as f64 / 60.0;
                        run.add(
                            "message.date_far_from_received",
                            Some(&format!("Date: {d}")),
                        )
                        .title = format!(
                            "The newest message's Date: is {hours:.1} hours from its newest Received: time ({})",
                            r.to_rfc2822()
                        );
                    }
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_folded_headers_and_dates() {
        let block = "Received: from a by b;\r\n\tTue, 1 Jul 2025 10:00:00 +0200\r\nDate: Tue, 1 Jul 2025 09:59:00 +0200 (CEST)\r\nSubject: hi\r\n\r\nbody";
        let h = parse_headers(block);
        assert_eq!(h.len(), 3);
        assert!(received_time(&h[0].1).is_some());
        assert!(parse_date(&h[1].1).is_some());
        assert!(parse_date("31 12 1969").is_none());
    }

    /// A year past 9999 parses in chrono but cannot be formatted as RFC 2822 (a panic, found by
    /// a fresh-eyed review): it is an odd date, and reporting it must not panic.
    #[test]
    fn five_digit_years_are_odd_dates() {
        assert!(parse_date("1 Jul 12345 10:00:00 +0000").is_none());
        assert!(received_time("from a by b; 1 Jul 12345 10:00:00 +0000").is_none());
        assert!(parse_date("1 Jul 9999 10:00:00 +0000").is_some());
    }
}
