//! Quotes: a cart priced without being placed and kept for [`QUOTE_TTL_MS`], so the order that
//! names it is charged exactly what the customer was shown, even if prices change meanwhile.
//!
//! A quote is bound to its cart by the cart's fingerprint (lines merged and sorted, codes
//! normalised, the customer's key): an order for another cart cannot borrow its prices.

use omnicanal_domain::pricing::Quote;
use omnicanal_store::QuoteRow;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, rfc3339};
use crate::pricing::cart::{Cart, SoldFrom};

/// How long a quote's prices are honoured by an order that names it.
pub const QUOTE_TTL_MS: i64 = 15 * 60 * 1_000;

/// A priced cart, kept until `expires_at_ms`.
#[derive(Debug, Clone)]
pub struct StoredQuote {
    /// Pass it as `quote_id` with the same cart.
    pub id: String,
    /// Until when it is honoured (Unix ms).
    pub expires_at_ms: i64,
    /// The priced cart, every price, promotion and tax explained.
    pub quote: Quote,
}

impl App {
    /// Prices a cart without placing it and keeps the quote (public). An unknown site is
    /// invalid `site_id`; every bad line is reported at once.
    pub async fn quote_cart(&self, cart: &Cart) -> AppResult<StoredQuote> {
        let site =
            self.store.get_site(&cart.site_id).await?.ok_or_else(|| AppError::invalid("site_id", "no such site"))?;
        let now = self.now_ms();
        let priced = self.price_cart(&site, cart, now, SoldFrom::Afar).await?;
        let row = QuoteRow {
            id: new_id("quo"),
            site_id: site.id,
            request_hash: cart.fingerprint(),
            quote_json: serde_json::to_string(&priced.quote).map_err(|error| AppError::Internal(Box::new(error)))?,
            created_at_ms: now,
            expires_at_ms: now + QUOTE_TTL_MS,
        };
        self.store.insert_quote(&row).await?;
        Ok(StoredQuote { id: row.id, expires_at_ms: row.expires_at_ms, quote: priced.quote })
    }

    /// The stored quote `quote_id`, if it was made for this very cart and has not expired at
    /// `now_ms`.
    pub(crate) async fn stored_quote(&self, quote_id: &str, cart: &Cart, now_ms: i64) -> AppResult<Quote> {
        let row = self
            .store
            .get_quote(quote_id)
            .await?
            .ok_or_else(|| AppError::invalid("quote_id", "no such quote; ask for a new one"))?;
        if row.request_hash != cart.fingerprint() {
            return Err(AppError::invalid(
                "quote_id",
                "the quote was made for another cart (lines, channel, coupons or customer differ)",
            ));
        }
        if row.expires_at_ms <= now_ms {
            return Err(AppError::QuoteExpired { expired_at: rfc3339(row.expires_at_ms) });
        }
        serde_json::from_str(&row.quote_json).map_err(|error| AppError::Internal(Box::new(error)))
    }
}
