//! Receipt series and numbers. A till numbers its own receipts, offline too, as
//! `<series>-<n>` with n counting from 1; the server keeps every number it was given and
//! reports any gap (a sale that never arrived) or duplicate (one number given twice).

use crate::DomainError;

/// Largest receipt number accepted (nine digits: a till that sells a sale a second for 30 years).
pub const MAX_RECEIPT_N: u64 = 999_999_999;
/// Longest receipt series, in characters.
pub const MAX_SERIES_CHARS: usize = 16;

/// A device's receipt series: 1 to 16 characters, upper-case letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptSeries(String);

impl ReceiptSeries {
    /// Parses a series.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_SERIES_CHARS
            && raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "receipt_series",
                format!("must be 1 to {MAX_SERIES_CHARS} upper-case letters or digits"),
            ))
        }
    }

    /// The series as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One receipt number of a series: `<series>-<n>`, n from 1, written without leading zeros so
/// each number has one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNumber {
    series: ReceiptSeries,
    n: u64,
}

impl ReceiptNumber {
    /// Parses `raw` as a number of `series`.
    pub fn parse(raw: &str, series: &ReceiptSeries) -> Result<Self, DomainError> {
        let refuse = || {
            DomainError::invalid(
                "receipt_number",
                format!("must be {}-<n>, n from 1 to {MAX_RECEIPT_N} without leading zeros", series.as_str()),
            )
        };
        let digits = raw.strip_prefix(series.as_str()).and_then(|rest| rest.strip_prefix('-')).ok_or_else(refuse)?;
        if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse());
        }
        let n: u64 = digits.parse().map_err(|_| refuse())?;
        if n > MAX_RECEIPT_N {
            return Err(refuse());
        }
        Ok(Self { series: series.clone(), n })
    }

    /// The number within its series.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The receipt number as printed.
    pub fn text(&self) -> String {
        format!("{}-{}", self.series.as_str(), self.n)
    }
}

/// What a device's series looks like on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesReport {
    /// The highest number received (0 when none).
    pub last_number: u64,
    /// Numbers below it never received, lowest first, at most the limit asked for.
    pub gaps: Vec<u64>,
    /// How many numbers are missing in all.
    pub gap_count: u64,
}

/// The gaps of a series from the numbers received (in any order, repeats ignored), listing
/// at most `max_listed` of them.
pub fn series_report(numbers: &[u64], max_listed: usize) -> SeriesReport {
    let mut sorted: Vec<u64> = numbers.iter().copied().filter(|n| *n >= 1).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let last_number = sorted.last().copied().unwrap_or(0);
    let mut gaps = Vec::new();
    let mut gap_count = 0u64;
    let mut expected = 1u64;
    for n in sorted {
        if n > expected {
            gap_count += n - expected;
            let mut missing = expected;
            while missing < n && gaps.len() < max_listed {
                gaps.push(missing);
                missing += 1;
            }
        }
        expected = n + 1;
    }
    SeriesReport { last_number, gaps, gap_count }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn series() -> ReceiptSeries {
        ReceiptSeries::parse("T7K2").unwrap_or_else(|_| ReceiptSeries(String::new()))
    }

    #[test]
    fn a_number_has_one_spelling_in_its_series() {
        let s = series();
        assert_eq!(ReceiptNumber::parse("T7K2-12", &s).map(|r| (r.n(), r.text())), Ok((12, "T7K2-12".to_owned())));
        for bad in ["T7K2-0", "T7K2-012", "T7K2-", "T7K3-1", "T7K2-1x", "T7K2-1000000000", "T7K21", "-1"] {
            assert!(ReceiptNumber::parse(bad, &s).is_err(), "{bad} is refused");
        }
        assert!(ReceiptSeries::parse("ab").is_err());
        assert!(ReceiptSeries::parse("").is_err());
    }

    #[test]
    fn gaps_are_the_numbers_never_received() {
        let report = series_report(&[1, 2, 5, 5, 3, 8], 10);
        assert_eq!(report, SeriesReport { last_number: 8, gaps: vec![4, 6, 7], gap_count: 3 });
        assert_eq!(series_report(&[], 10), SeriesReport { last_number: 0, gaps: vec![], gap_count: 0 });
        let far = series_report(&[1_000_000], 3);
        assert_eq!((far.gaps, far.gap_count), (vec![1, 2, 3], 999_999));
    }

    proptest! {
        #[test]
        fn every_number_up_to_the_last_is_received_or_a_gap(numbers in proptest::collection::vec(1u64..200, 0..60)) {
            let report = series_report(&numbers, 1000);
            for n in 1..=report.last_number {
                prop_assert!(numbers.contains(&n) != report.gaps.contains(&n));
            }
            prop_assert_eq!(report.gap_count, report.gaps.len() as u64);
        }
    }
}
