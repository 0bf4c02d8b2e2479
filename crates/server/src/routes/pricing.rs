//! Pricing: quotes for any cart (public), and the admin API for price lists, promotions and
//! coupons. Every change to prices or promotions emits `price.changed` on the outbox.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::hours::hhmm;
use omnicanal_domain::pricing::price_list::check_conflicts;
use omnicanal_domain::pricing::promotion::{HappyHour, normalize_code};
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind, Quote};
use omnicanal_store::{CouponRow, OutboxRow, Page, PriceEntryRow, PriceListRow, PromotionRow, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, rfc3339};
use crate::ordering::{OrderLineRequest, valid_channel};
use crate::pricing::{
    self, CartRequest, cart_fingerprint, customer_key, engine_price_lists, merchant_home, parse_local_instant,
};
use crate::state::AppState;
use crate::validate::{Validator, vetted};
use crate::views::{CustomerContact, MoneyView};

/// How long a quote's prices are honoured by `POST /orders` with its `quote_id`.
pub const QUOTE_TTL_MS: i64 = 15 * 60 * 1_000;
/// Most prices one price list may hold.
pub const MAX_PRICES_PER_LIST: usize = 5_000;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(quote))
        .routes(routes!(create_price_list, list_price_lists))
        .routes(routes!(get_price_list, replace_price_list, delete_price_list))
        .routes(routes!(create_promotion, list_promotions))
        .routes(routes!(get_promotion, replace_promotion))
        .routes(routes!(create_coupon, list_coupons))
        .routes(routes!(update_coupon))
}

// ---------------------------------------------------------------------------------------------
// Quotes

/// A cart to price.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuoteRequest {
    /// The site.
    pub site_id: String,
    /// `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>`.
    pub channel: String,
    /// 1 to 200 lines, across any of the site's locations.
    pub lines: Vec<OrderLineRequest>,
    /// Coupon codes entered (at most 10).
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// Who is buying, for per-customer coupon limits.
    #[serde(default)]
    pub customer: Option<CustomerContact>,
}

/// A priced cart, kept for 15 minutes so an order can be placed at exactly these prices.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// Pass it as `quote_id` to `POST /orders` with the same cart.
    pub quote_id: String,
    /// Until when the quote is honoured.
    pub expires_at: String,
    /// The priced cart: `lines` (each with `unit_price`, `price_source`, `gross`, `discounts`,
    /// `discount`, `total`, `tax`, and `not_applied` promotions with a reason `code` and
    /// `message`), `parts` (one per location, with who funds its discount and its taxes),
    /// `gross`, `discount`, `total`, `taxes`, `promotions` (every one considered, applied or
    /// with the reason it was not) and `coupons`.
    #[schema(value_type = Object)]
    pub quote: Quote,
}

/// Prices a cart without placing it, explaining every price, promotion and tax. Public.
#[utoipa::path(post, path = "/pricing/quote", tag = "pricing", request_body = QuoteRequest,
    responses((status = 200, body = QuoteView), (status = 422, body = crate::error::Problem)))]
async fn quote(State(state): State<AppState>, ApiJson(request): ApiJson<QuoteRequest>) -> ApiResult<Json<QuoteView>> {
    let mut v = Validator::new();
    let site = state.store.get_site(&request.site_id).await?;
    if site.is_none() {
        v.push("site_id", "no such site");
    }
    if !valid_channel(&request.channel) {
        v.push("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
    }
    v.finish()?;
    let site = vetted(site)?;
    let now = now_ms();
    let contact = request.customer.unwrap_or_default();
    let key = customer_key(contact.email.as_deref(), contact.phone.as_deref());
    let cart = CartRequest {
        site: &site,
        channel: &request.channel,
        lines: &request.lines,
        coupon_codes: &request.coupon_codes,
        customer_key: key.as_deref(),
        now_ms: now,
    };
    let priced = pricing::price(&state, cart).await?;
    let row = omnicanal_store::QuoteRow {
        id: new_id("quo"),
        site_id: site.id.clone(),
        request_hash: cart_fingerprint(&cart),
        quote_json: serde_json::to_string(&priced.quote).map_err(|error| ApiError::Internal(Box::new(error)))?,
        created_at_ms: now,
        expires_at_ms: now + QUOTE_TTL_MS,
    };
    state.store.insert_quote(&row).await?;
    Ok(Json(QuoteView { quote_id: row.id, expires_at: rfc3339(row.expires_at_ms), quote: priced.quote }))
}

// ---------------------------------------------------------------------------------------------
// Price lists

/// One price of a list.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PriceEntry {
    /// A SKU the merchant sells.
    pub sku: String,
    /// Unit price, tax included, in the SKU's currency.
    pub price: MoneyView,
}

/// A price list as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PriceListRequest {
    /// The merchant whose prices these are (fixed after creation).
    pub merchant_id: String,
    /// Name shown in explanations ("Web", "Navidad", "Happy hour POS").
    pub name: String,
    /// Only for this channel.
    #[serde(default)]
    pub channel: Option<String>,
    /// Only at this location of the merchant.
    #[serde(default)]
    pub location_id: Option<String>,
    /// Start (inclusive): RFC 3339, or a local time such as `2026-12-24T18:00` in the site's time zone.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// 1 to 5000 prices.
    pub prices: Vec<PriceEntry>,
}

/// A price list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListView {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Name.
    pub name: String,
    /// Only for this channel.
    pub channel: Option<String>,
    /// Only at this location.
    pub location_id: Option<String>,
    /// Start (inclusive).
    pub valid_from: Option<String>,
    /// End (exclusive).
    pub valid_to: Option<String>,
    /// Whether it is used.
    pub active: bool,
    /// Prices by SKU.
    pub prices: Vec<PriceEntry>,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl From<PriceListRow> for PriceListView {
    fn from(row: PriceListRow) -> Self {
        Self {
            prices: row
                .entries
                .iter()
                .map(|e| PriceEntry { sku: e.sku.clone(), price: MoneyView::from_parts(e.price_minor, &e.currency) })
                .collect(),
            id: row.id,
            merchant_id: row.merchant_id,
            name: row.name,
            channel: row.channel,
            location_id: row.location_id,
            valid_from: row.valid_from_ms.map(rfc3339),
            valid_to: row.valid_to_ms.map(rfc3339),
            active: row.active,
            created_at: rfc3339(row.created_at_ms),
            updated_at: rfc3339(row.updated_at_ms),
        }
    }
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

fn may_manage_prices(user: &AuthUser) -> ApiResult<()> {
    user.require(&[Role::Admin, Role::MerchantManager])
}

fn may_read_prices(user: &AuthUser) -> ApiResult<()> {
    user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent, Role::Staff])
}

fn price_event(merchant_id: Option<&str>, payload: serde_json::Value) -> OutboxRow {
    OutboxRow {
        seq: 0,
        event_id: new_id("evt"),
        event_type: "price.changed".into(),
        merchant_id: merchant_id.map(str::to_owned),
        order_id: None,
        location_id: None,
        sku: None,
        payload_json: payload.to_string(),
        created_at_ms: now_ms(),
    }
}

fn list_event(list: &PriceListRow, action: &str) -> OutboxRow {
    price_event(
        Some(&list.merchant_id),
        serde_json::json!({
            "cause": "price_list",
            "action": action,
            "price_list_id": list.id,
            "merchant_id": list.merchant_id,
            "channel": list.channel,
            "location_id": list.location_id,
            "valid_from": list.valid_from_ms.map(rfc3339),
            "valid_to": list.valid_to_ms.map(rfc3339),
            "active": list.active,
            "prices": list.entries.iter().map(|e| serde_json::json!({
                "sku": e.sku, "price": {"amount": e.price_minor, "currency": e.currency}
            })).collect::<Vec<_>>(),
        }),
    )
}

/// Parses a `valid_from`/`valid_to` pair in the scope's time zone, recording errors in `v`.
fn window(v: &mut Validator, timezone: &str, from: &Option<String>, to: &Option<String>) -> (Option<i64>, Option<i64>) {
    let mut bound = |field: &str, raw: &Option<String>| {
        let raw = raw.as_deref()?;
        parse_local_instant(raw, timezone).map_err(|message| v.push(field, message)).ok()
    };
    (bound("valid_from", from), bound("valid_to", to))
}

/// Validates a price list request into a row (id and times to be set by the caller).
async fn price_list_row(
    state: &AppState,
    user: &AuthUser,
    request: PriceListRequest,
    id: String,
    created_at_ms: i64,
) -> ApiResult<PriceListRow> {
    let merchant = state.store.get_merchant(&request.merchant_id).await?.ok_or(ApiError::NotFound("merchant"))?;
    user.check_merchant(&merchant.id, "merchant")?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    if let Some(channel) = &request.channel
        && !valid_channel(channel)
    {
        v.push("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
    }
    let (_, mut timezone) = merchant_home(state, &merchant.id).await?;
    if let Some(location_id) = &request.location_id {
        match state.store.get_location(location_id).await?.filter(|l| l.merchant_id == merchant.id) {
            Some(location) => {
                if let Some(site) = state.store.get_site(&location.site_id).await? {
                    timezone = site.timezone;
                }
            }
            None => v.push("location_id", "no such location of this merchant"),
        }
    }
    let (valid_from_ms, valid_to_ms) = window(&mut v, &timezone, &request.valid_from, &request.valid_to);
    if request.prices.is_empty() || request.prices.len() > MAX_PRICES_PER_LIST {
        v.push("prices", format!("a price list needs 1 to {MAX_PRICES_PER_LIST} prices"));
    }
    let mut entries: Vec<PriceEntryRow> = Vec::with_capacity(request.prices.len());
    for (index, entry) in request.prices.iter().enumerate() {
        let field = format!("prices[{index}]");
        let Some(sku) = v.check(&format!("{field}.sku"), Sku::parse(&entry.sku)) else { continue };
        let Some(price) = v.check(&format!("{field}.price"), parse_price("price", Money::from(entry.price))) else {
            continue;
        };
        if entries.iter().any(|e| e.sku == sku.as_str()) {
            v.push(format!("{field}.sku"), "appears twice in this list");
            continue;
        }
        match state.store.find_variant(&merchant.id, sku.as_str()).await? {
            None => v.push(format!("{field}.sku"), format!("{} does not sell {sku}", merchant.name)),
            Some((variant, _)) if variant.currency != price.currency.code() => v.push(
                format!("{field}.price"),
                format!("{sku} is priced in {}, not {}", variant.currency, price.currency),
            ),
            Some(_) => entries.push(PriceEntryRow {
                sku: sku.as_str().to_owned(),
                price_minor: price.amount_minor,
                currency: price.currency.code().to_owned(),
            }),
        }
    }
    v.finish()?;
    let row = PriceListRow {
        id,
        merchant_id: merchant.id.clone(),
        name: vetted(name)?.into_inner(),
        channel: request.channel,
        location_id: request.location_id,
        valid_from_ms,
        valid_to_ms,
        active: request.active.unwrap_or(true),
        created_at_ms,
        updated_at_ms: now_ms(),
        entries,
    };
    let others =
        engine_price_lists(state.store.list_price_lists(&merchant.id, Page { limit: 10_000, offset: 0 }).await?);
    let candidate = engine_price_lists(vec![row.clone()]);
    if let Some(candidate) = candidate.first() {
        check_conflicts(candidate, &others)?;
    }
    Ok(row)
}

/// Creates a price list (admin, or the merchant's manager).
#[utoipa::path(post, path = "/price-lists", tag = "pricing", request_body = PriceListRequest, security(("bearer" = [])),
    responses((status = 201, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PriceListRequest>,
) -> ApiResult<(StatusCode, Json<PriceListView>)> {
    may_manage_prices(&user)?;
    let row = price_list_row(&state, &user, request, new_id("prl"), now_ms()).await?;
    state.store.insert_price_list(&row, &list_event(&row, "created")).await?;
    state.wake_dispatcher();
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A merchant's price lists, oldest first.
#[utoipa::path(get, path = "/price-lists", tag = "pricing", params(MerchantFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PriceListView>), (status = 422, body = crate::error::Problem)))]
async fn list_price_lists(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<MerchantFilter>,
) -> ApiResult<Json<Vec<PriceListView>>> {
    may_read_prices(&user)?;
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let merchant_id = filter
        .merchant_id
        .or_else(|| user.merchant_id.clone())
        .ok_or_else(|| ApiError::invalid("merchant_id", "required"))?;
    user.check_merchant(&merchant_id, "merchant")?;
    let lists = state.store.list_price_lists(&merchant_id, page).await?;
    Ok(Json(lists.into_iter().map(PriceListView::from).collect()))
}

async fn visible_price_list(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<PriceListRow> {
    let list = state.store.get_price_list(id).await?.ok_or(ApiError::NotFound("price list"))?;
    user.check_merchant(&list.merchant_id, "price list")?;
    Ok(list)
}

/// One price list.
#[utoipa::path(get, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem)))]
async fn get_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PriceListView>> {
    may_read_prices(&user)?;
    Ok(Json(visible_price_list(&state, &user, &id).await?.into()))
}

/// Replaces a price list (its merchant stays); orders already placed keep their prices.
#[utoipa::path(put, path = "/price-lists/{id}", tag = "pricing", request_body = PriceListRequest,
    params(("id" = String, Path, description = "Price list id")), security(("bearer" = [])),
    responses((status = 200, body = PriceListView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(mut request): ApiJson<PriceListRequest>,
) -> ApiResult<Json<PriceListView>> {
    may_manage_prices(&user)?;
    let existing = visible_price_list(&state, &user, &id).await?;
    request.merchant_id = existing.merchant_id.clone();
    let row = price_list_row(&state, &user, request, existing.id, existing.created_at_ms).await?;
    state.store.replace_price_list(&row, &list_event(&row, "updated")).await?;
    state.wake_dispatcher();
    Ok(Json(row.into()))
}

/// Deletes a price list; its SKUs fall back to the next list or the base price.
#[utoipa::path(delete, path = "/price-lists/{id}", tag = "pricing", params(("id" = String, Path, description = "Price list id")),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn delete_price_list(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    may_manage_prices(&user)?;
    let existing = visible_price_list(&state, &user, &id).await?;
    state.store.delete_price_list(&id, &list_event(&existing, "deleted")).await?;
    state.wake_dispatcher();
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Promotions

/// Weekdays and local hours.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct HappyHourView {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Local start, `HH:MM` (inclusive).
    pub start: String,
    /// Local end, `HH:MM` (exclusive); earlier than `start` runs past midnight.
    pub end: String,
}

/// A promotion as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PromotionRequest {
    /// The merchant's own promotion; leave out (null) for a site-wide promotion of the site's operator (admin).
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion (required then).
    #[serde(default)]
    pub site_id: Option<String>,
    /// Name shown to customers and staff.
    pub name: String,
    /// `merchant` (default for a merchant's promotion) or `operator` (default for a site-wide one).
    #[serde(default)]
    pub funded_by: Option<String>,
    /// What it gives, by `type`: `percent_off_lines {bps, skus?}`, `amount_off_lines {amount, skus?}`,
    /// `percent_off_order {bps}`, `amount_off_order {amount}`, `buy_x_get_y {skus, buy, get, get_off_bps}`,
    /// `bundle {components: [{sku, quantity}], price}`. `bps` are basis points: 1000 = 10 %, at most 10000.
    #[schema(value_type = Object)]
    pub kind: PromotionKind,
    /// Channels it applies to (empty: all).
    #[serde(default)]
    pub channels: Vec<String>,
    /// Locations it applies to (empty: all of its scope).
    #[serde(default)]
    pub location_ids: Vec<String>,
    /// Start: RFC 3339, or a local time in the site's time zone.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Only on these weekdays and hours.
    #[serde(default)]
    pub happy_hour: Option<HappyHourView>,
    /// The lines in scope must add up to at least this.
    #[serde(default)]
    pub min_spend: Option<MoneyView>,
    /// Only with one of its coupon codes.
    #[serde(default)]
    pub requires_coupon: bool,
    /// Higher goes first (default 0).
    #[serde(default)]
    pub priority: i32,
    /// Combines with no other promotion.
    #[serde(default)]
    pub exclusive: bool,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A promotion.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionView {
    /// Opaque id.
    pub id: String,
    /// Owner; null for a site-wide promotion.
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Name.
    pub name: String,
    /// `merchant` or `operator`.
    pub funded_by: String,
    /// What it gives (see the request).
    #[schema(value_type = Object)]
    pub kind: PromotionKind,
    /// Channels (empty: all).
    pub channels: Vec<String>,
    /// Locations (empty: all).
    pub location_ids: Vec<String>,
    /// Start.
    pub valid_from: Option<String>,
    /// End.
    pub valid_to: Option<String>,
    /// Weekdays and hours.
    pub happy_hour: Option<HappyHourView>,
    /// Minimum spend.
    pub min_spend: Option<MoneyView>,
    /// Whether a coupon is needed.
    pub requires_coupon: bool,
    /// Higher goes first.
    pub priority: i32,
    /// Combines with no other promotion.
    pub exclusive: bool,
    /// Whether it is used.
    pub active: bool,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

fn minutes(field: &str, raw: &str, v: &mut Validator) -> u16 {
    let parsed = raw
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u16>().ok()?, m.parse::<u16>().ok()?)))
        .filter(|(h, m)| *h < 24 && *m < 60 && raw.len() == 5);
    match parsed {
        Some((h, m)) => h * 60 + m,
        None => {
            v.push(field, "must be a time of day HH:MM");
            0
        }
    }
}

fn promotion_view(row: &PromotionRow) -> ApiResult<PromotionView> {
    let promotion: Promotion =
        serde_json::from_str(&row.definition_json).map_err(|error| ApiError::Internal(Box::new(error)))?;
    Ok(PromotionView {
        id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        site_id: row.site_id.clone(),
        name: row.name.clone(),
        funded_by: match promotion.funded_by {
            Funder::Merchant => "merchant".into(),
            Funder::Operator => "operator".into(),
        },
        kind: promotion.kind,
        channels: promotion.channels,
        location_ids: promotion.location_ids,
        valid_from: promotion.valid_from_ms.map(rfc3339),
        valid_to: promotion.valid_to_ms.map(rfc3339),
        happy_hour: promotion.happy_hour.map(|h| HappyHourView {
            weekdays: h.weekdays,
            start: hhmm(h.start_minute),
            end: hhmm(h.end_minute),
        }),
        min_spend: promotion.min_spend.map(MoneyView::from),
        requires_coupon: promotion.requires_coupon,
        priority: promotion.priority,
        exclusive: promotion.exclusive,
        active: row.active,
        created_at: rfc3339(row.created_at_ms),
        updated_at: rfc3339(row.updated_at_ms),
    })
}

/// Validates a promotion request into a row (the caller sets id and creation time).
async fn promotion_row(
    state: &AppState,
    user: &AuthUser,
    request: PromotionRequest,
    id: String,
    created_at_ms: i64,
) -> ApiResult<PromotionRow> {
    let mut v = Validator::new();
    // Scope: the merchant's own promotion, or a site-wide one of the operator (admin only).
    let (merchant_id, site_id, currency, timezone) = match &request.merchant_id {
        Some(merchant_id) => {
            let merchant = state.store.get_merchant(merchant_id).await?.ok_or(ApiError::NotFound("merchant"))?;
            user.check_merchant(&merchant.id, "merchant")?;
            let (currency, timezone) = merchant_home(state, &merchant.id).await?;
            (Some(merchant.id), None, currency, timezone)
        }
        None => {
            user.require(&[Role::Admin])?;
            let site_id = request
                .site_id
                .clone()
                .ok_or_else(|| ApiError::invalid("site_id", "required for a site-wide promotion (no merchant_id)"))?;
            let site =
                state.store.get_site(&site_id).await?.ok_or_else(|| ApiError::invalid("site_id", "no such site"))?;
            (None, Some(site.id), site.currency.parse()?, site.timezone)
        }
    };
    let funded_by = match request.funded_by.as_deref() {
        None if merchant_id.is_some() => Funder::Merchant,
        None => Funder::Operator,
        Some(raw) => v.check("funded_by", Funder::parse(raw)).unwrap_or(Funder::Merchant),
    };
    if funded_by == Funder::Operator && user.role != Role::Admin {
        v.push("funded_by", "only the site's operator (an admin) may fund a promotion with its money");
    }
    let name = v.check("name", Name::parse("name", &request.name));
    for (index, channel) in request.channels.iter().enumerate() {
        if !valid_channel(channel) {
            v.push(format!("channels[{index}]"), "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
        }
    }
    for (index, location_id) in request.location_ids.iter().enumerate() {
        let location = state.store.get_location(location_id).await?;
        let in_scope = location.is_some_and(|l| match (&merchant_id, &site_id) {
            (Some(merchant), _) => &l.merchant_id == merchant,
            (None, Some(site)) => &l.site_id == site,
            (None, None) => false,
        });
        if !in_scope {
            v.push(format!("location_ids[{index}]"), "no such location in the promotion's scope");
        }
    }
    let (valid_from_ms, valid_to_ms) = window(&mut v, &timezone, &request.valid_from, &request.valid_to);
    let happy_hour = request.happy_hour.as_ref().map(|h| HappyHour {
        weekdays: h.weekdays.clone(),
        start_minute: minutes("happy_hour.start", &h.start, &mut v),
        end_minute: minutes("happy_hour.end", &h.end, &mut v),
    });
    let mut amounts: Vec<(&str, Money)> = Vec::new();
    match &request.kind {
        PromotionKind::AmountOffLines { amount, .. } | PromotionKind::AmountOffOrder { amount } => {
            amounts.push(("kind.amount", *amount));
        }
        PromotionKind::Bundle { price, .. } => amounts.push(("kind.price", *price)),
        _ => {}
    }
    let min_spend = request.min_spend.map(Money::from);
    if let Some(min) = min_spend {
        amounts.push(("min_spend", min));
    }
    for (field, amount) in amounts {
        if amount.currency != currency {
            v.push(field, format!("must be in {currency}, the currency this promotion's scope sells in"));
        }
    }
    v.finish()?;
    let promotion = Promotion {
        id,
        name: vetted(name)?.into_inner(),
        merchant_id: merchant_id.clone(),
        funded_by,
        kind: request.kind,
        channels: request.channels,
        location_ids: request.location_ids,
        valid_from_ms,
        valid_to_ms,
        happy_hour,
        min_spend,
        requires_coupon: request.requires_coupon,
        priority: request.priority,
        exclusive: request.exclusive,
        active: request.active.unwrap_or(true),
    };
    promotion.validate()?;
    Ok(PromotionRow {
        id: promotion.id.clone(),
        merchant_id,
        site_id,
        name: promotion.name.clone(),
        active: promotion.active,
        definition_json: serde_json::to_string(&promotion).map_err(|error| ApiError::Internal(Box::new(error)))?,
        created_at_ms,
        updated_at_ms: now_ms(),
    })
}

fn promotion_event(row: &PromotionRow, action: &str) -> OutboxRow {
    price_event(
        row.merchant_id.as_deref(),
        serde_json::json!({
            "cause": "promotion",
            "action": action,
            "promotion_id": row.id,
            "merchant_id": row.merchant_id,
            "site_id": row.site_id,
            "name": row.name,
            "active": row.active,
        }),
    )
}

/// Creates a promotion: a merchant's (its manager or an admin) or a site-wide one (admin).
#[utoipa::path(post, path = "/promotions", tag = "pricing", request_body = PromotionRequest, security(("bearer" = [])),
    responses((status = 201, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> ApiResult<(StatusCode, Json<PromotionView>)> {
    may_manage_prices(&user)?;
    let row = promotion_row(&state, &user, request, new_id("pro"), now_ms()).await?;
    state.store.insert_promotion(&row, &promotion_event(&row, "created")).await?;
    state.wake_dispatcher();
    Ok((StatusCode::CREATED, Json(promotion_view(&row)?)))
}

/// `?merchant_id=&site_id=` for promotions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PromotionFilter {
    /// One merchant's promotions (managers: their own).
    pub merchant_id: Option<String>,
    /// One site's site-wide promotions.
    pub site_id: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// Promotions: platform users see all (or filter), managers and staff their merchant's.
#[utoipa::path(get, path = "/promotions", tag = "pricing", params(PromotionFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PromotionView>), (status = 422, body = crate::error::Problem)))]
async fn list_promotions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<PromotionFilter>,
) -> ApiResult<Json<Vec<PromotionView>>> {
    may_read_prices(&user)?;
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let (merchant_id, site_id) = if user.is_platform() {
        (filter.merchant_id, filter.site_id)
    } else {
        let own = user.merchant_id.clone().ok_or(ApiError::Forbidden)?;
        if filter.merchant_id.as_ref().is_some_and(|m| *m != own) {
            return Err(ApiError::NotFound("merchant"));
        }
        (Some(own), None)
    };
    let rows = state.store.list_promotions(merchant_id.as_deref(), site_id.as_deref(), page).await?;
    Ok(Json(rows.iter().map(promotion_view).collect::<ApiResult<_>>()?))
}

async fn visible_promotion(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<PromotionRow> {
    let row = state.store.get_promotion(id).await?.ok_or(ApiError::NotFound("promotion"))?;
    match &row.merchant_id {
        Some(merchant) => user.check_merchant(merchant, "promotion")?,
        None if user.is_platform() => {}
        None => return Err(ApiError::NotFound("promotion")),
    }
    Ok(row)
}

/// One promotion.
#[utoipa::path(get, path = "/promotions/{id}", tag = "pricing", params(("id" = String, Path, description = "Promotion id")),
    security(("bearer" = [])), responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem)))]
async fn get_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PromotionView>> {
    may_read_prices(&user)?;
    Ok(Json(promotion_view(&visible_promotion(&state, &user, &id).await?)?))
}

/// Replaces a promotion (its merchant or site stays); set `active: false` to end it.
#[utoipa::path(put, path = "/promotions/{id}", tag = "pricing", request_body = PromotionRequest,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(mut request): ApiJson<PromotionRequest>,
) -> ApiResult<Json<PromotionView>> {
    may_manage_prices(&user)?;
    let existing = visible_promotion(&state, &user, &id).await?;
    request.merchant_id = existing.merchant_id.clone();
    request.site_id = existing.site_id.clone();
    let row = promotion_row(&state, &user, request, existing.id, existing.created_at_ms).await?;
    state.store.replace_promotion(&row, &promotion_event(&row, "updated")).await?;
    state.wake_dispatcher();
    Ok(Json(promotion_view(&row)?))
}

// ---------------------------------------------------------------------------------------------
// Coupons

/// A new coupon code for a promotion that requires one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CouponRequest {
    /// 3 to 32 letters, digits, `-` or `_`; stored upper case, unique.
    pub code: String,
    /// Uses allowed in all (none: unlimited).
    #[serde(default)]
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer, counted by e-mail or phone (none: unlimited).
    #[serde(default)]
    pub per_customer_limit: Option<i64>,
}

/// A coupon.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouponView {
    /// Opaque id.
    pub id: String,
    /// The promotion it unlocks.
    pub promotion_id: String,
    /// The code.
    pub code: String,
    /// Uses allowed in all.
    pub usage_limit: Option<i64>,
    /// Uses allowed per customer.
    pub per_customer_limit: Option<i64>,
    /// Uses so far.
    pub used: i64,
    /// Whether it can be used.
    pub active: bool,
    /// Creation time.
    pub created_at: String,
}

impl From<CouponRow> for CouponView {
    fn from(row: CouponRow) -> Self {
        Self {
            id: row.id,
            promotion_id: row.promotion_id,
            code: row.code,
            usage_limit: row.usage_limit,
            per_customer_limit: row.per_customer_limit,
            used: row.used,
            active: row.active,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// Adds a coupon code to a promotion with `requires_coupon`.
#[utoipa::path(post, path = "/promotions/{id}/coupons", tag = "pricing", request_body = CouponRequest,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 201, body = CouponView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_coupon(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CouponRequest>,
) -> ApiResult<(StatusCode, Json<CouponView>)> {
    may_manage_prices(&user)?;
    let promotion = visible_promotion(&state, &user, &id).await?;
    let definition: Promotion =
        serde_json::from_str(&promotion.definition_json).map_err(|error| ApiError::Internal(Box::new(error)))?;
    let mut v = Validator::new();
    if !definition.requires_coupon {
        v.push("code", "this promotion applies without a coupon; set requires_coupon on it first");
    }
    let code = normalize_code(&request.code);
    if !(3..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        v.push("code", "must be 3 to 32 letters, digits, '-' or '_'");
    }
    for (field, limit) in [("usage_limit", request.usage_limit), ("per_customer_limit", request.per_customer_limit)] {
        if limit.is_some_and(|limit| !(1..=100_000_000).contains(&limit)) {
            v.push(field, "must be between 1 and 100000000");
        }
    }
    v.finish()?;
    let row = CouponRow {
        id: new_id("cpn"),
        promotion_id: promotion.id,
        code,
        usage_limit: request.usage_limit,
        per_customer_limit: request.per_customer_limit,
        used: 0,
        active: true,
        created_at_ms: now_ms(),
    };
    state.store.insert_coupon(&row).await.map_err(|error| match error {
        StoreError::Conflict(_) => ApiError::Conflict(format!("the code {} is already in use", row.code)),
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A promotion's coupons, oldest first.
#[utoipa::path(get, path = "/promotions/{id}/coupons", tag = "pricing", params(("id" = String, Path, description = "Promotion id"), Pagination),
    security(("bearer" = [])), responses((status = 200, body = Vec<CouponView>), (status = 404, body = crate::error::Problem)))]
async fn list_coupons(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<CouponView>>> {
    may_read_prices(&user)?;
    let promotion = visible_promotion(&state, &user, &id).await?;
    let coupons = state.store.list_coupons(&promotion.id, pagination.page()?).await?;
    Ok(Json(coupons.into_iter().map(CouponView::from).collect()))
}

/// A change to a coupon.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCoupon {
    /// Switch the code on or off.
    pub active: bool,
}

/// Switches a coupon on or off.
#[utoipa::path(patch, path = "/coupons/{id}", tag = "pricing", request_body = UpdateCoupon,
    params(("id" = String, Path, description = "Coupon id")), security(("bearer" = [])),
    responses((status = 200, body = CouponView), (status = 404, body = crate::error::Problem)))]
async fn update_coupon(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateCoupon>,
) -> ApiResult<Json<CouponView>> {
    may_manage_prices(&user)?;
    let coupon = state.store.get_coupon(&id).await?.ok_or(ApiError::NotFound("coupon"))?;
    visible_promotion(&state, &user, &coupon.promotion_id).await.map_err(|_| ApiError::NotFound("coupon"))?;
    state.store.set_coupon_active(&id, request.active).await?;
    Ok(Json(CouponRow { active: request.active, ..coupon }.into()))
}
