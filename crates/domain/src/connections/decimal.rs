//! Shops write prices as decimal strings (`"12.50"`, `"8990"`); we keep integer minor units.
//! These two functions are the only bridge, exact in both directions (no floats).

/// `"12.5"` with exponent 2 → 1250. Refuses more decimals than the currency has (a price the
/// shop could not mean), signs other than a leading `-`, and anything but digits and one `.`.
pub fn minor_from_decimal(raw: &str, exponent: u32) -> Option<i64> {
    let raw = raw.trim();
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let exponent = usize::try_from(exponent).ok()?;
    let fraction = fraction.trim_end_matches('0');
    let valid = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !valid(whole) || !valid(fraction) || fraction.len() > exponent {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let padded = format!("{fraction:0<exponent$}");
    let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().ok()? };
    let scale = 10_i64.checked_pow(u32::try_from(exponent).ok()?)?;
    let minor = whole.checked_mul(scale)?.checked_add(fraction)?;
    Some(if negative { -minor } else { minor })
}

/// 1250 with exponent 2 → `"12.50"`; 8990 with exponent 0 → `"8990"`.
pub fn decimal_from_minor(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.saturating_pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    let width = usize::try_from(exponent).unwrap_or(2);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly() {
        assert_eq!(minor_from_decimal("12.50", 2), Some(1250));
        assert_eq!(minor_from_decimal("12.5", 2), Some(1250));
        assert_eq!(minor_from_decimal("12", 2), Some(1200));
        assert_eq!(minor_from_decimal("8990.00", 0), Some(8990));
        assert_eq!(minor_from_decimal("0.07", 2), Some(7));
        assert_eq!(minor_from_decimal("12.505", 2), None);
        assert_eq!(minor_from_decimal("1e3", 2), None);
        assert_eq!(minor_from_decimal("", 2), None);
        assert_eq!(decimal_from_minor(1250, 2), "12.50");
        assert_eq!(decimal_from_minor(7, 2), "0.07");
        assert_eq!(decimal_from_minor(8990, 0), "8990");
        assert_eq!(decimal_from_minor(-5, 2), "-0.05");
    }
}
