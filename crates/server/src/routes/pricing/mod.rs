//! Pricing: quotes for any cart (public), and the admin API for price lists, promotions and
//! coupons. Every change to prices or promotions emits `price.changed` on the outbox (the use
//! cases in `omnicanal_app::pricing` build and write it with the change).

mod coupons;
mod price_lists;
mod promotions;
mod quote;

use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Most prices one price list may hold.
pub const MAX_PRICES_PER_LIST: usize = omnicanal_app::pricing::price_lists::MAX_PRICES_PER_LIST;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(quote::router())
        .merge(price_lists::router())
        .merge(promotions::router())
        .merge(coupons::router())
}

/// `?merchant_id=` for lists of one merchant's things.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MerchantFilter {
    /// The merchant (managers: their own by default).
    pub merchant_id: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
    /// Only those whose name contains this text (any case).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `created` (default, oldest first), `name` or `valid_from`; `-` first reverses it.
    #[param(pattern = r"^-?(created|name|valid_from)$")]
    pub sort: Option<String>,
}

/// Whether a listing asks for the search (`?q=` or `?sort=`); without either it keeps its
/// historic plain page.
pub(crate) fn asks_search(q: Option<&str>, sort: Option<&str>) -> bool {
    q.is_some_and(|q| !q.trim().is_empty()) || sort.is_some()
}
