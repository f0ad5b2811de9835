//! Money as whole cents in an `i64`: exact sums, one rounding rule, readable formatting.
//!
//! Files store money as decimal text (`"22.00"`), which round-trips exactly. Every
//! multiplication goes through [`Money::mul_ratio`] (integer arithmetic, half away from
//! zero) or [`Money::mul_f64`] (one rounding of a single product, used for discount and
//! escalation factors); sums are always integer sums of cents.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

/// An amount of money in cents. The currency is a label carried by the plan or price book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    cents: i64,
}

impl Money {
    pub const ZERO: Money = Money { cents: 0 };

    /// An amount from whole cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money { cents }
    }

    /// An amount from whole currency units (dollars, euros...).
    pub const fn from_units(units: i64) -> Money {
        Money {
            cents: units.saturating_mul(100),
        }
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.cents
    }

    pub fn is_zero(self) -> bool {
        self.cents == 0
    }

    /// `self × num ÷ den`, computed exactly in 128 bits and rounded once, half away from zero.
    /// Saturates instead of overflowing; a zero denominator gives zero.
    pub fn mul_ratio(self, num: i128, den: i128) -> Money {
        if den == 0 {
            return Money::ZERO;
        }
        let product = (self.cents as i128).saturating_mul(num);
        Money::from_i128(div_round(product, den))
    }

    /// `self × factor`, rounded once to the cent (half away from zero). For factors that are
    /// not simple ratios (discounting, compound escalation). Non-finite factors give zero.
    pub fn mul_f64(self, factor: f64) -> Money {
        if !factor.is_finite() {
            return Money::ZERO;
        }
        let value = (self.cents as f64 * factor).round();
        if value >= i64::MAX as f64 {
            Money::from_cents(i64::MAX)
        } else if value <= i64::MIN as f64 {
            Money::from_cents(i64::MIN)
        } else {
            Money::from_cents(value as i64)
        }
    }

    fn from_i128(v: i128) -> Money {
        Money {
            cents: v.clamp(i64::MIN as i128, i64::MAX as i128) as i64,
        }
    }

    /// Parses decimal text: `"22"`, `"22.5"`, `"1,234.56"`, `"-3.10"`. At most two decimals;
    /// no currency symbols.
    pub fn parse(text: &str) -> Result<Money, String> {
        let t = text.trim();
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        // A comma only separates thousands: "7,00" (a decimal comma) must not become 700.
        if body.contains(',') {
            let whole = body.split_once('.').map_or(body, |(w, _)| w);
            let mut groups = whole.split(',');
            // A first group of "0" ("0,500") is a decimal comma too: thousands never start so.
            let first_ok = groups
                .next()
                .is_some_and(|g| (1..=3).contains(&g.len()) && !g.starts_with('0'));
            if !first_ok
                || !groups.all(|g| g.len() == 3)
                || body.split_once('.').is_some_and(|(_, f)| f.contains(','))
            {
                return Err(format!(
                    "'{text}': a comma may only separate thousands (\"1,234.56\"); write decimals with a dot, e.g. \"7.00\""
                ));
            }
        }
        let body = body.replace(',', "");
        if body.is_empty() {
            return Err(format!(
                "'{text}' is not an amount; write it like \"1234.56\""
            ));
        }
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, f),
            None => (body.as_str(), ""),
        };
        let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && frac.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
            return Err(format!(
                "'{text}' is not an amount; write it like \"1234.56\""
            ));
        }
        if frac.len() > 2 {
            return Err(format!(
                "'{text}' has more than two decimals; amounts are kept in whole cents"
            ));
        }
        let whole_v: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("'{text}' is too large an amount"))?
        };
        let frac_v: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
        let cents = whole_v
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac_v))
            .ok_or_else(|| format!("'{text}' is too large an amount"))?;
        Ok(Money::from_cents(if negative { -cents } else { cents }))
    }

    /// Plain decimal text without separators or symbol, e.g. `1234.56` (for CSV/JSON).
    pub fn to_plain_string(self) -> String {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Human formatting with the currency label and thousands separators:
    /// `$1,234.56` for USD, `€`/`£` for EUR/GBP, otherwise `1,234.56 CHF`.
    pub fn format(self, currency: &str) -> String {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        let number = format!("{}.{:02}", group_thousands(abs / 100), abs % 100);
        match currency_symbol(currency) {
            Some(sym) => format!("{sign}{sym}{number}"),
            None if currency.trim().is_empty() => format!("{sign}{number}"),
            None => format!("{sign}{number} {}", currency.trim()),
        }
    }
}

/// The symbol shown before amounts for a few common currency labels.
pub fn currency_symbol(currency: &str) -> Option<&'static str> {
    match currency.trim().to_ascii_uppercase().as_str() {
        "USD" | "$" => Some("$"),
        "EUR" | "€" => Some("€"),
        "GBP" | "£" => Some("£"),
        _ => None,
    }
}

/// `1234567` → `"1,234,567"`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Integer division rounding half away from zero.
pub(crate) fn div_round(num: i128, den: i128) -> i128 {
    if den == 0 {
        return 0;
    }
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let q = num / den;
    let r = num % den;
    if r.abs() * 2 >= den {
        if num >= 0 { q + 1 } else { q - 1 }
    } else {
        q
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money::from_cents(self.cents.saturating_add(rhs.cents))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money::from_cents(self.cents.saturating_sub(rhs.cents))
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money::from_cents(self.cents.saturating_neg())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_plain_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl serde::de::Visitor<'_> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount as text with at most two decimals, e.g. \"22.00\"")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
        Money::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
        v.checked_mul(100)
            .map(Money::from_cents)
            .ok_or_else(|| E::custom("amount too large"))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
        i64::try_from(v)
            .ok()
            .and_then(|v| v.checked_mul(100))
            .map(Money::from_cents)
            .ok_or_else(|| E::custom("amount too large"))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
        // Accept a plain number only when it is exactly a whole number of cents.
        let cents = (v * 100.0).round();
        if !v.is_finite() || (v * 100.0 - cents).abs() > 1e-6 || cents.abs() > 9.0e15 {
            return Err(E::custom(format!(
                "{v} is not a whole number of cents; write amounts as text, e.g. \"22.00\""
            )));
        }
        Ok(Money::from_cents(cents as i64))
    }
}

/// A percentage kept as basis points (1% = 100), from a user-facing `f64` percent.
pub fn percent_to_basis_points(percent: f64) -> i64 {
    if !percent.is_finite() {
        return 0;
    }
    (percent * 100.0).round().clamp(-1.0e9, 1.0e9) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decimal comma is refused, not read as a thousands separator (found by a fresh-eyed
    /// review: "7,00" in a price book became $700.00 without a word).
    #[test]
    fn commas_only_separate_thousands() {
        for bad in [
            "7,00",
            "12,34",
            "1,2345",
            ",123",
            "1,234.5,6",
            "1,,234",
            "1234,567",
        ] {
            let err = Money::parse(bad).unwrap_err();
            assert!(err.contains("comma"), "{bad}: {err}");
        }
        assert_eq!(Money::parse("1,234").unwrap().cents(), 123_400);
        assert_eq!(Money::parse("1,234,567.89").unwrap().cents(), 123_456_789);
        assert_eq!(Money::parse("-12,345.6").unwrap().cents(), -1_234_560);
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(Money::parse("22.00").unwrap().cents(), 2200);
        assert_eq!(Money::parse("1,234.5").unwrap().cents(), 123450);
        assert_eq!(Money::parse("-0.05").unwrap().cents(), -5);
        assert_eq!(Money::parse(".5").unwrap().cents(), 50);
        assert!(Money::parse("1.234").is_err());
        assert!(Money::parse("abc").is_err());
        assert!(Money::parse("").is_err());
        assert!(Money::parse(".").is_err());
        assert!(Money::parse("99999999999999999999").is_err());
        assert_eq!(Money::from_cents(123456789).format("USD"), "$1,234,567.89");
        assert_eq!(Money::from_cents(-5).format("USD"), "-$0.05");
        assert_eq!(Money::from_cents(100000).format("CHF"), "1,000.00 CHF");
        assert_eq!(Money::from_cents(100000).format("EUR"), "€1,000.00");
        assert_eq!(Money::from_cents(-123456).to_plain_string(), "-1234.56");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(100), "100");
        assert_eq!(group_thousands(1000), "1,000");
    }

    #[test]
    fn ratio_rounds_half_away_from_zero() {
        // 12.50 × 1.05 = 13.125 → 13.13 (Microsoft's annual-billed-monthly check figure).
        assert_eq!(
            Money::from_cents(1250).mul_ratio(10500, 10000).cents(),
            1313
        );
        assert_eq!(
            Money::from_cents(-1250).mul_ratio(10500, 10000).cents(),
            -1313
        );
        assert_eq!(Money::from_cents(1).mul_ratio(1, 3).cents(), 0);
        assert_eq!(Money::from_cents(100).mul_ratio(1, 0).cents(), 0);
        assert_eq!(
            Money::from_cents(i64::MAX).mul_ratio(10, 1).cents(),
            i64::MAX
        );
    }

    #[test]
    fn tenths_of_a_cent_never_drift() {
        // 0.10 added a million times is exactly 100,000.00: no binary fraction creeps in.
        let total: Money = std::iter::repeat_n(Money::parse("0.10").unwrap(), 1_000_000).sum();
        assert_eq!(total.to_plain_string(), "100000.00");
    }

    #[test]
    fn serde_round_trip() {
        let m = Money::parse("1234.56").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"1234.56\"");
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        let ron_text = ron::to_string(&m).unwrap();
        assert_eq!(ron::from_str::<Money>(&ron_text).unwrap(), m);
        assert_eq!(ron::from_str::<Money>("50").unwrap().cents(), 5000);
        assert_eq!(ron::from_str::<Money>("22.5").unwrap().cents(), 2250);
        assert!(ron::from_str::<Money>("22.555").is_err());
    }
}
