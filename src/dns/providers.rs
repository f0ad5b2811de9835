//! Recognising a mail provider from MX host names, using the data table
//! `scenarios/providers/providers.ron`.

use crate::checks::{Scheme, Target};
use crate::files::{FileError, parse_ron};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The built-in provider table (RON text).
pub const BUILTIN_PROVIDERS: &str = include_str!("../../scenarios/providers/providers.ron");

/// The id used for MX hosts that match no provider in the table.
pub const SELF_HOSTED: &str = "self-hosted";

/// Whether a provider holds the mailboxes or only filters mail in front of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The provider hosts the mailboxes (Gmail, Exchange Online...).
    Mailbox,
    /// A filtering service in front of the real mail server.
    Gateway,
    /// No provider in the table: the organisation's own (or an unknown hosted) server.
    SelfHosted,
}

/// One client endpoint published by a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderEndpoint {
    pub scheme: Scheme,
    pub host: String,
    /// Defaults to the scheme's standard port.
    #[serde(default)]
    pub port: Option<u16>,
}

impl ProviderEndpoint {
    /// The endpoint as a check target.
    pub fn target(&self) -> Result<Target, String> {
        Target::new(self.scheme, &self.host, self.port)
    }
}

/// One row of the provider table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    /// An MX host matches when it equals a suffix or ends with `.suffix`.
    pub mx_suffixes: Vec<String>,
    #[serde(default)]
    pub incoming: Vec<ProviderEndpoint>,
    #[serde(default)]
    pub outgoing: Vec<ProviderEndpoint>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Provider {
    /// Whether this provider's MX patterns cover `host` (ASCII, any case, trailing dot allowed).
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.mx_suffixes.iter().any(|s| {
            let s = s.trim_end_matches('.').to_ascii_lowercase();
            host == s || host.ends_with(&format!(".{s}"))
        })
    }
}

/// The whole provider table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTable {
    pub providers: Vec<Provider>,
}

impl ProviderTable {
    /// Parses a provider table; `file` names the source in error messages.
    pub fn parse(file: &str, text: &str) -> Result<ProviderTable, FileError> {
        let table: ProviderTable = parse_ron(file, text)?;
        for p in &table.providers {
            if p.id.is_empty() || p.mx_suffixes.is_empty() {
                return Err(FileError::new(
                    file,
                    format!(
                        "provider '{}' needs an id and at least one MX suffix",
                        p.name
                    ),
                ));
            }
            for e in p.incoming.iter().chain(&p.outgoing) {
                e.target()
                    .map_err(|m| FileError::new(file, format!("provider '{}': {m}", p.id)))?;
            }
        }
        Ok(table)
    }

    /// The built-in table, parsed once.
    pub fn builtin() -> &'static ProviderTable {
        static TABLE: OnceLock<ProviderTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            // The built-in file is checked by a unit test, so this cannot fail in a release.
            ProviderTable::parse("built-in:providers.ron", BUILTIN_PROVIDERS)
                .unwrap_or(ProviderTable { providers: vec![] })
        })
    }

    /// The provider whose MX patterns cover `host`, if any. The longest matching suffix wins.
    pub fn detect(&self, host: &str) -> Option<&Provider> {
        let host_l = host.trim_end_matches('.').to_ascii_lowercase();
        self.providers
            .iter()
            .filter_map(|p| {
                p.mx_suffixes
                    .iter()
                    .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
                    .filter(|s| host_l == *s || host_l.ends_with(&format!(".{s}")))
                    .map(|s| s.len())
                    .max()
                    .map(|len| (len, p))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, p)| p)
    }

    pub fn by_id(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }
}

/// A provider recognised among a domain's MX records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMatch {
    /// Table id, or `self-hosted`.
    pub id: String,
    pub name: String,
    pub kind: ProviderKind,
    /// The MX hosts that led to this provider.
    pub mx_hosts: Vec<String>,
    /// Lowest MX preference among those hosts.
    pub best_preference: u16,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Groups MX hosts (preference, ASCII host) by provider, in order of best preference.
pub fn group_by_provider(table: &ProviderTable, mx: &[(u16, String)]) -> Vec<ProviderMatch> {
    let mut out: Vec<ProviderMatch> = Vec::new();
    for (pref, host) in mx {
        let (id, name, kind, notes) = match table.detect(host) {
            Some(p) => (p.id.clone(), p.name.clone(), p.kind, p.notes.clone()),
            None => (
                SELF_HOSTED.to_owned(),
                "Self-hosted or unlisted provider".to_owned(),
                ProviderKind::SelfHosted,
                vec![],
            ),
        };
        match out.iter_mut().find(|m| m.id == id) {
            Some(m) => {
                m.mx_hosts.push(host.clone());
                m.best_preference = m.best_preference.min(*pref);
            }
            None => out.push(ProviderMatch {
                id,
                name,
                kind,
                mx_hosts: vec![host.clone()],
                best_preference: *pref,
                notes,
            }),
        }
    }
    out.sort_by_key(|m| m.best_preference);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_is_complete() {
        let t = ProviderTable::parse("built-in:providers.ron", BUILTIN_PROVIDERS).unwrap();
        for id in [
            "google",
            "microsoft",
            "zoho",
            "fastmail",
            "proton",
            "yahoo",
            "icloud",
            "proofpoint",
            "mimecast",
            "barracuda",
        ] {
            assert!(t.by_id(id).is_some(), "{id} missing");
        }
    }

    #[test]
    fn detects_by_suffix() {
        let t = ProviderTable::builtin();
        assert_eq!(t.detect("ALT1.ASPMX.L.GOOGLE.COM.").unwrap().id, "google");
        assert_eq!(
            t.detect("contoso-com.mail.protection.outlook.com")
                .unwrap()
                .id,
            "microsoft"
        );
        assert_eq!(t.detect("mx0a-001.pphosted.com").unwrap().id, "proofpoint");
        assert_eq!(
            t.detect("in1-smtp.messagingengine.com").unwrap().id,
            "fastmail"
        );
        assert!(t.detect("notgoogle.com").is_none());
        assert!(t.detect("mail.example.com").is_none());
    }

    #[test]
    fn groups_split_providers() {
        let t = ProviderTable::builtin();
        let g = group_by_provider(
            t,
            &[
                (10, "mx.example.com".into()),
                (1, "aspmx.l.google.com".into()),
                (5, "alt1.aspmx.l.google.com".into()),
            ],
        );
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].id, "google");
        assert_eq!(g[0].mx_hosts.len(), 2);
        assert_eq!(g[1].id, SELF_HOSTED);
    }

    #[test]
    fn bad_table_names_position() {
        let e = ProviderTable::parse("x.ron", "(providers: [ (id: 1) ])").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
