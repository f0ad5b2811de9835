//! Price books: RON files of priced items, embedded defaults plus user overrides by item id.
//!
//! Loading order: the built-in books (`scenarios/prices/*.ron`), then the user's config
//! folder `prices/`, then any `--prices DIR`. An item from a later layer replaces the item
//! with the same id from an earlier one. A broken file never stops the others from loading:
//! its errors are returned beside the catalogue.

use super::money::Money;
use crate::files::{self, FileError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The built-in price books, embedded at build time: (file name, RON text).
pub const BUILTIN_BOOKS: &[(&str, &str)] = &[
    (
        "current.ron",
        include_str!("../../scenarios/prices/current.ron"),
    ),
    (
        "historical-2008.ron",
        include_str!("../../scenarios/prices/historical-2008.ron"),
    ),
];

/// One price book file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceBook {
    /// Short id, e.g. `"current"` or `"historical-2008"`.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// Currency label used by items that do not give their own.
    pub currency: String,
    /// A historical book describes past prices (no longer on offer): its items are shown
    /// with a "historical" warning instead of a "stale price" warning.
    #[serde(default)]
    pub historical: bool,
    #[serde(default)]
    pub note: String,
    pub items: Vec<PriceItem>,
}

/// A price, or `Quote` when no public price exists: the user must enter a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListPrice {
    Price(Money),
    Quote,
}

/// What one unit of the price buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PriceUnit {
    PerUserPerMonth,
    PerUserPerYear,
    /// A one-off price per mailbox (migration licences).
    PerMailboxOnce,
    PerServerPerYear,
    FlatPerYear,
    PerGbPerMonth,
    PerGbPerYear,
}

impl PriceUnit {
    pub fn label(self) -> &'static str {
        match self {
            PriceUnit::PerUserPerMonth => "per user per month",
            PriceUnit::PerUserPerYear => "per user per year",
            PriceUnit::PerMailboxOnce => "per mailbox, once",
            PriceUnit::PerServerPerYear => "per server per year",
            PriceUnit::FlatPerYear => "flat per year",
            PriceUnit::PerGbPerMonth => "per GB per month",
            PriceUnit::PerGbPerYear => "per GB per year",
        }
    }

    /// Whether the quantity is a number of users/mailboxes (so seat limits apply).
    pub fn is_per_user(self) -> bool {
        matches!(
            self,
            PriceUnit::PerUserPerMonth | PriceUnit::PerUserPerYear | PriceUnit::PerMailboxOnce
        )
    }
}

/// A billing term a product can be bought on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BillingTerm {
    /// Annual commitment paid up front (the base price).
    Annual,
    /// Annual commitment paid monthly (Microsoft NCE: +5%).
    AnnualBilledMonthly,
    /// Month to month, cancel any time (Google "Flexible" ≈ +20%; Microsoft monthly term +20%).
    Flexible,
}

impl BillingTerm {
    pub fn label(self) -> &'static str {
        match self {
            BillingTerm::Annual => "annual commitment",
            BillingTerm::AnnualBilledMonthly => "annual, billed monthly",
            BillingTerm::Flexible => "flexible / month-to-month",
        }
    }
}

/// One way to buy an item, with its surcharge over the listed price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingOption {
    pub term: BillingTerm,
    /// Percent added to the listed price, e.g. `20.0` for 1.2×.
    #[serde(default)]
    pub surcharge_percent: f64,
}

/// What the item includes that matters for compliance and the advisor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Includes {
    pub retention: bool,
    /// Legal hold and eDiscovery.
    pub legal_hold: bool,
    pub archiving: bool,
    /// The customer can choose the region where data is stored.
    pub data_region: bool,
}

/// How far a price can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// The vendor's own page (or a harvest of it).
    High,
    /// A consistent secondary source.
    Medium,
    /// Unverified or last-known: check before relying on it.
    Low,
}

impl Confidence {
    pub fn letter(self) -> &'static str {
        match self {
            Confidence::High => "H",
            Confidence::Medium => "M",
            Confidence::Low => "L",
        }
    }
}

/// One priced item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceItem {
    /// `vendor.product.tier`, lower case, e.g. `"google.workspace.business_plus"`.
    pub id: String,
    pub product: String,
    #[serde(default)]
    pub tier: String,
    pub price: ListPrice,
    /// Overrides the book's currency for this item.
    #[serde(default)]
    pub currency: Option<String>,
    pub unit: PriceUnit,
    /// Ways to buy it; the first is the default. Empty: the price as listed, no options.
    #[serde(default)]
    pub billing: Vec<BillingOption>,
    /// Mailbox storage per user in GB, when the item is a mailbox.
    #[serde(default)]
    pub mailbox_gb: Option<u32>,
    /// Storage details (pooled, archive size...).
    #[serde(default)]
    pub storage_note: String,
    #[serde(default)]
    pub seat_min: Option<u32>,
    #[serde(default)]
    pub seat_max: Option<u32>,
    #[serde(default)]
    pub includes: Includes,
    /// Where the figure comes from (a URL or a citation).
    pub source: String,
    /// The date of the source (not the date it was read).
    pub as_of: NaiveDate,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: String,
}

impl PriceItem {
    /// "Product Tier", for display.
    pub fn display_name(&self) -> String {
        if self.tier.trim().is_empty() {
            self.product.clone()
        } else {
            format!("{} {}", self.product, self.tier)
        }
    }
}

/// An item in the catalogue with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogueEntry {
    pub item: PriceItem,
    /// The currency, resolved from the item or its book.
    pub currency: String,
    pub book_id: String,
    pub book_name: String,
    pub historical: bool,
    /// The file it was read from (`built-in:NAME` or a path).
    pub origin: String,
    /// Files whose items with the same id this one replaced.
    pub replaces: Vec<String>,
}

/// All loaded items by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalogue {
    pub items: BTreeMap<String, CatalogueEntry>,
}

impl Catalogue {
    pub fn get(&self, id: &str) -> Option<&CatalogueEntry> {
        self.items.get(id)
    }

    /// All item ids (for validating scenario references).
    pub fn ids(&self) -> BTreeSet<String> {
        self.items.keys().cloned().collect()
    }

    /// Adds a parsed book; items replace earlier items with the same id.
    pub fn add_book(&mut self, book: &PriceBook, origin: &str) {
        for item in &book.items {
            let currency = item
                .currency
                .clone()
                .unwrap_or_else(|| book.currency.clone());
            let mut replaces = Vec::new();
            if let Some(old) = self.items.get(&item.id) {
                replaces = old.replaces.clone();
                replaces.push(old.origin.clone());
            }
            self.items.insert(
                item.id.clone(),
                CatalogueEntry {
                    item: item.clone(),
                    currency,
                    book_id: book.id.clone(),
                    book_name: book.name.clone(),
                    historical: book.historical,
                    origin: origin.to_owned(),
                    replaces,
                },
            );
        }
    }
}

/// The built-in books only (always valid; checked by tests).
pub fn builtin_catalogue() -> (Catalogue, Vec<FileError>) {
    let mut catalogue = Catalogue::default();
    let mut errors = Vec::new();
    for (name, text) in BUILTIN_BOOKS {
        let origin = format!("built-in:{name}");
        match parse_book(&origin, text) {
            Ok(book) => catalogue.add_book(&book, &origin),
            Err(mut e) => errors.append(&mut e),
        }
    }
    (catalogue, errors)
}

/// The user's price-book folder: `<config dir>/prices`.
pub fn user_prices_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "mailplan").map(|d| d.config_dir().join("prices"))
}

/// Built-ins, then the user's config folder, then each of `extra_dirs` (e.g. `--prices DIR`).
pub fn load_catalogue(extra_dirs: &[PathBuf]) -> (Catalogue, Vec<FileError>) {
    let (mut catalogue, mut errors) = builtin_catalogue();
    if let Some(dir) = user_prices_dir()
        && dir.is_dir()
    {
        errors.append(&mut load_dir_into(&mut catalogue, &dir));
    }
    for dir in extra_dirs {
        if dir.is_dir() {
            errors.append(&mut load_dir_into(&mut catalogue, dir));
        } else {
            errors.push(FileError::new(
                dir.display().to_string(),
                "is not a folder of price books (*.ron)",
            ));
        }
    }
    (catalogue, errors)
}

/// Loads every `*.ron` file in `dir` (sorted by name) into `catalogue`. Within one folder,
/// an item id defined by two files is an error (the first one is kept).
pub fn load_dir_into(catalogue: &mut Catalogue, dir: &Path) -> Vec<FileError> {
    let mut errors = Vec::new();
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            // A pipe or device named *.ron is reported by read_text, not skipped.
            .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.is_dir())
            .collect(),
        Err(e) => {
            errors.push(FileError::new(
                dir.display().to_string(),
                format!("cannot list folder: {e}"),
            ));
            return errors;
        }
    };
    paths.sort();
    let mut seen_here: BTreeMap<String, String> = BTreeMap::new();
    for path in paths {
        let name = path.display().to_string();
        let text = match files::read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match parse_book(&name, &text) {
            Ok(mut book) => {
                book.items.retain(|item| match seen_here.get(&item.id) {
                    Some(first) => {
                        errors.push(positioned(
                            &name,
                            &text,
                            &item.id,
                            format!("item id '{}' is already defined in {first}; ids must be unique in one folder", item.id),
                        ));
                        false
                    }
                    None => {
                        seen_here.insert(item.id.clone(), name.clone());
                        true
                    }
                });
                catalogue.add_book(&book, &name);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    errors
}

/// Parses and validates one price book. Errors carry file:line:col.
pub fn parse_book(file: &str, text: &str) -> Result<PriceBook, Vec<FileError>> {
    let book: PriceBook = files::parse_ron(file, text).map_err(|e| vec![e])?;
    let errors = validate_book(file, text, &book);
    if errors.is_empty() {
        Ok(book)
    } else {
        Err(errors)
    }
}

/// Checks what the types cannot: ids, limits, non-empty text, sane numbers.
pub fn validate_book(file: &str, text: &str, book: &PriceBook) -> Vec<FileError> {
    let mut errors = Vec::new();
    let book_err = |msg: String| positioned(file, text, &book.id, msg);
    if book.id.trim().is_empty() {
        errors.push(FileError::new(file, "the book has an empty id"));
    }
    if book.name.trim().is_empty() {
        errors.push(book_err("the book has an empty name".into()));
    }
    if let Err(m) = check_currency(&book.currency) {
        errors.push(book_err(m));
    }
    let mut ids = BTreeSet::new();
    for item in &book.items {
        let err = |msg: String| positioned(file, text, &item.id, msg);
        if let Err(m) = check_item_id(&item.id) {
            errors.push(err(m));
        }
        if !ids.insert(item.id.as_str()) {
            errors.push(err(format!(
                "item id '{}' appears twice in this book",
                item.id
            )));
        }
        if item.product.trim().is_empty() {
            errors.push(err(format!("item '{}' has an empty product name", item.id)));
        }
        if let ListPrice::Price(m) = item.price
            && m.cents() < 0
        {
            errors.push(err(format!("item '{}' has a negative price", item.id)));
        }
        if let Some(c) = &item.currency
            && let Err(m) = check_currency(c)
        {
            errors.push(err(m));
        }
        if let (Some(min), Some(max)) = (item.seat_min, item.seat_max)
            && min > max
        {
            errors.push(err(format!(
                "item '{}' has seat_min {min} above seat_max {max}",
                item.id
            )));
        }
        let mut terms = BTreeSet::new();
        for option in &item.billing {
            if !terms.insert(option.term) {
                errors.push(err(format!(
                    "item '{}' lists billing term {:?} twice",
                    item.id, option.term
                )));
            }
            if !option.surcharge_percent.is_finite()
                || !(-100.0..=1000.0).contains(&option.surcharge_percent)
            {
                errors.push(err(format!(
                    "item '{}': surcharge_percent must be between -100 and 1000",
                    item.id
                )));
            }
        }
        if item.source.trim().is_empty() {
            errors.push(err(format!(
                "item '{}' has no source; every figure needs one (a URL or citation)",
                item.id
            )));
        }
    }
    errors
}

/// The shape of a price-book item id, shared by price books and by scenario files that refer
/// to items: lower-case words of letters, digits and `_`, joined by dots, at most 100 bytes.
pub fn is_valid_item_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

fn check_item_id(id: &str) -> Result<(), String> {
    if is_valid_item_id(id) {
        Ok(())
    } else {
        Err(format!(
            "item id '{}' is not valid: use lower-case words joined by dots, e.g. \"google.workspace.business_plus\"",
            crate::sanitize::strip_controls(id)
        ))
    }
}

fn check_currency(c: &str) -> Result<(), String> {
    let t = c.trim();
    if t.is_empty()
        || t.chars().count() > 8
        || t.chars().any(|ch| ch.is_control() || ch.is_whitespace())
    {
        Err(format!(
            "currency '{}' is not a short label like \"USD\"",
            crate::sanitize::strip_controls(c)
        ))
    } else {
        Ok(())
    }
}

/// An error pointing at the first place `"needle"` appears in `text` (as a quoted string).
pub(crate) fn positioned(file: &str, text: &str, needle: &str, message: String) -> FileError {
    let mut e = FileError::new(file, message);
    if !needle.is_empty()
        && let Some((line, col)) = locate(text, &format!("\"{needle}\""))
    {
        e.line = Some(line);
        e.column = Some(col);
    }
    e
}

/// 1-based line and column (in characters) of the first occurrence of `needle`.
pub(crate) fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text.find(needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..at].chars().count() + 1;
    Some((line, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_books_load_without_errors() {
        let (cat, errors) = builtin_catalogue();
        assert!(errors.is_empty(), "{errors:?}");
        for id in [
            "google.workspace.business_plus",
            "microsoft.exchange_online.plan2",
            "microsoft.exchange_online_archiving",
            "microsoft.m365.business_premium",
            "zoho.mail.premium",
            "teamviewer.remote_access",
            "chrome_remote_desktop",
            "bittitan.migrationwiz.mailbox",
            "hcl.domino.ccb",
            "microsoft.exchange_server.se",
            "gateway.proofpoint",
            "google.apps.premier",
        ] {
            assert!(cat.get(id).is_some(), "missing {id}");
        }
    }

    #[test]
    fn locate_finds_line_and_column() {
        assert_eq!(locate("a\n  \"x\"", "\"x\""), Some((2, 3)));
    }

    #[test]
    fn bad_ids_are_rejected_with_position() {
        let text = r#"PriceBook(id: "t", name: "T", currency: "USD", items: [
  PriceItem(id: "Bad Id", product: "P", price: Price("1.00"), unit: FlatPerYear,
    source: "s", as_of: "2026-01-01", confidence: Low),
])"#;
        let errs = parse_book("t.ron", text).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].message.contains("not valid"), "{}", errs[0]);
    }
}
