//! Pricing: quotes for any cart (public), and the admin API for price lists, promotions and
//! coupons. Every change to prices or promotions emits `price.changed` on the outbox.

mod coupons;
mod price_lists;
mod promotions;
mod quote;

use omnicanal_domain::Money;
use omnicanal_domain::events::{ChangeAction, DomainEvent, ListedPrice, PriceChanged, PriceListChanged};
use omnicanal_store::{NewEvent, PriceListRow};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::ids::{new_id, now_ms};
use crate::state::AppState;
use omnicanal_app::local_time::parse_local_instant;
use omnicanal_app::validation::Validator;

/// How long a quote's prices are honoured by `POST /orders` with its `quote_id`.
pub const QUOTE_TTL_MS: i64 = 15 * 60 * 1_000;
/// Most prices one price list may hold.
pub const MAX_PRICES_PER_LIST: usize = 5_000;

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
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

pub(super) fn may_manage_prices(user: &AuthUser) -> ApiResult<()> {
    Ok(user.require(&[Role::Admin, Role::MerchantManager])?)
}

pub(super) fn may_read_prices(user: &AuthUser) -> ApiResult<()> {
    Ok(user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent, Role::Staff])?)
}

pub(super) fn price_event(changed: PriceChanged) -> NewEvent {
    NewEvent { event_id: new_id("evt"), created_at_ms: now_ms(), event: DomainEvent::PriceChanged(changed) }
}

pub(super) fn list_event(list: &PriceListRow, action: ChangeAction) -> NewEvent {
    price_event(PriceChanged::PriceList(PriceListChanged {
        action,
        price_list_id: list.id.clone(),
        merchant_id: list.merchant_id.clone(),
        channel: list.channel.clone(),
        location_id: list.location_id.clone(),
        valid_from: list.valid_from_ms,
        valid_to: list.valid_to_ms,
        active: list.active,
        prices: list
            .entries
            .iter()
            .map(|entry| ListedPrice { sku: entry.sku.clone(), price: Money::new(entry.price_minor, entry.currency) })
            .collect(),
    }))
}

/// Parses a `valid_from`/`valid_to` pair in the scope's time zone, recording errors in `v`.
pub(super) fn window(
    v: &mut Validator,
    timezone: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> (Option<i64>, Option<i64>) {
    let mut bound = |field: &str, raw: &Option<String>| {
        let raw = raw.as_deref()?;
        parse_local_instant(raw, timezone).map_err(|message| v.push(field, message)).ok()
    };
    (bound("valid_from", from), bound("valid_to", to))
}
