//! RFC 6186 / RFC 8314 SRV discovery of client endpoints.

use super::{DnsClient, LookupFailure, name_forms};
use crate::checks::{Scheme, Target};
use hickory_resolver::proto::rr::{RData, RecordType};
use serde::{Deserialize, Serialize};

/// The SRV services mail clients look up, most preferred first (RFC 8314 prefers implicit TLS).
pub const SERVICES: [(&str, Scheme); 6] = [
    ("_imaps._tcp", Scheme::Imaps),
    ("_imap._tcp", Scheme::Imap),
    ("_pop3s._tcp", Scheme::Pop3s),
    ("_pop3._tcp", Scheme::Pop3),
    ("_submissions._tcp", Scheme::Smtps),
    ("_submission._tcp", Scheme::Submission),
];

/// What one SRV name gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrvService {
    /// e.g. `_imaps._tcp.example.com`.
    pub name: String,
    pub scheme: Scheme,
    /// True when the record's target is `.`: the service is explicitly not offered (RFC 2782).
    pub not_offered: bool,
    /// Offered endpoints, by priority then weight (heaviest first).
    pub records: Vec<SrvRecord>,
    /// Set when the look-up failed (not for "no such record").
    #[serde(default)]
    pub error: Option<String>,
}

/// One SRV record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrvRecord {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// ASCII target without trailing dot.
    pub target: String,
    pub display_target: String,
}

impl SrvRecord {
    /// The record as a check target (its scheme from the service, its port as published).
    pub fn check_target(&self, scheme: Scheme) -> Result<Target, String> {
        let mut t = Target::new(scheme, &self.target, Some(self.port))?;
        t.display_host = self.display_target.clone();
        Ok(t)
    }

    /// The record as zone-file text, for display.
    pub fn text(&self, name: &str) -> String {
        format!(
            "{name} SRV {} {} {} {}",
            self.priority, self.weight, self.port, self.target
        )
    }
}

/// Looks up all six services concurrently. Services with no record are left out.
pub async fn discover_srv(client: &DnsClient, domain: &str) -> Vec<SrvService> {
    let mut set = tokio::task::JoinSet::new();
    for (i, (prefix, scheme)) in SERVICES.iter().enumerate() {
        let name = format!("{prefix}.{domain}");
        let (client, scheme) = (client.clone(), *scheme);
        set.spawn(async move {
            let answer = client.lookup(&name, RecordType::SRV).await;
            (i, read_srv(name, scheme, answer))
        });
    }
    let mut out: Vec<Option<SrvService>> = vec![None; SERVICES.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((i, s)) = joined {
            out[i] = s;
        }
    }
    out.into_iter().flatten().collect()
}

fn read_srv(
    name: String,
    scheme: Scheme,
    answer: Result<super::Answer, LookupFailure>,
) -> Option<SrvService> {
    let answer = match answer {
        Ok(a) => a,
        Err(e) if e.is_negative() => return None,
        Err(e) => {
            return Some(SrvService {
                name,
                scheme,
                not_offered: false,
                records: vec![],
                error: Some(e.describe()),
            });
        }
    };
    let mut not_offered = false;
    let mut records = Vec::new();
    for r in &answer.records {
        if let RData::SRV(s) = r {
            if s.target.is_root() {
                not_offered = true;
                continue;
            }
            let (ascii, display) = name_forms(&s.target.to_ascii());
            if s.port == 0 {
                continue;
            }
            records.push(SrvRecord {
                priority: s.priority,
                weight: s.weight,
                port: s.port,
                target: ascii,
                display_target: display,
            });
        }
    }
    records.sort_by(|a, b| {
        (a.priority, std::cmp::Reverse(a.weight), &a.target).cmp(&(
            b.priority,
            std::cmp::Reverse(b.weight),
            &b.target,
        ))
    });
    // A "." record only means "not offered" when it is the only record (RFC 2782).
    let not_offered = not_offered && records.is_empty();
    Some(SrvService {
        name,
        scheme,
        not_offered,
        records,
        error: None,
    })
}
