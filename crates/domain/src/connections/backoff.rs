//! How long to wait before calling a shop again after a failure: doubling from
//! [`FIRST_RETRY_MS`] to [`MAX_RETRY_MS`], never sooner than the shop's own `Retry-After` (or
//! Shopify's restore rate) asked.

/// The first retry's delay.
pub const FIRST_RETRY_MS: i64 = 500;
/// The longest delay between two attempts.
pub const MAX_RETRY_MS: i64 = 5 * 60 * 1_000;

/// The delay before attempt `attempts + 1`, after `attempts` failures in a row (≥ 1), at least
/// what the shop asked for. `jitter_permille` (0..=1000, drawn by the caller) spreads nodes and
/// connections apart by up to a fifth of the delay.
pub fn retry_delay_ms(attempts: i64, shop_asked_ms: Option<i64>, jitter_permille: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let base = FIRST_RETRY_MS.saturating_mul(1_i64 << doublings).min(MAX_RETRY_MS);
    let jitter = base / 5 * jitter_permille.clamp(0, 1_000) / 1_000;
    (base + jitter).max(shop_asked_ms.unwrap_or(0).clamp(0, MAX_RETRY_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_and_honours_the_shop() {
        assert_eq!(retry_delay_ms(1, None, 0), 500);
        assert_eq!(retry_delay_ms(2, None, 0), 1_000);
        assert_eq!(retry_delay_ms(40, None, 0), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(1, Some(7_000), 0), 7_000);
        assert_eq!(retry_delay_ms(1, None, 1_000), 600);
        assert_eq!(retry_delay_ms(0, Some(-5), 0), 500);
    }
}
