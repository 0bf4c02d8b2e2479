//! The deposit told before booking (issue 19 point 3), over HTTP:
//! `GET /locations/{id}/deposit-quote?party_size=N` or `&service_id=` answers the deposit a
//! booking of a table for that party or of that service would put down, and the cancellation
//! window that gives it back — public, like availability, so the customer's page can say it
//! and ask for the card before a time is picked.
//!
//! A route of its own rather than a field on availability: that answer is a list of slots in
//! the contract, and the amount is the same for every slot of a day.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::bookings::BookFor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::views::MoneyView;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(deposit_quote))
}

/// What the booking is for: exactly one of `party_size` and `service_id`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepositQuoteQuery {
    /// A table for this many people, 1 to 100.
    #[param(minimum = 1, maximum = 100)]
    pub party_size: Option<i64>,
    /// An appointment for this service.
    #[param(max_length = 100)]
    pub service_id: Option<String>,
}

/// The deposit a booking would put down, and when cancelling gives it back.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepositQuoteView {
    /// What the booking puts down by card (`POST /bookings` with `payment`); null when it asks
    /// for no deposit.
    pub deposit: Option<MoneyView>,
    /// The customer's cancellation at least this many minutes before the start refunds it.
    pub cancel_window_minutes: i64,
}

/// The deposit a table for `party_size` or an appointment for `service_id` at a location puts
/// down (public: the booking pages tell it before a time is picked).
#[utoipa::path(get, path = "/locations/{id}/deposit-quote", tag = "bookings", operation_id = "booking_deposit_quote",
    params(("id" = String, Path, description = "Location id"), DepositQuoteQuery),
    responses((status = 200, body = DepositQuoteView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn deposit_quote(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DepositQuoteQuery>,
) -> ApiResult<Json<DepositQuoteView>> {
    let wants = BookFor::parse(query.party_size, query.service_id.as_deref())?;
    let quote = state.app.deposit_quote(&id, &wants).await?;
    Ok(Json(DepositQuoteView {
        deposit: quote.deposit.map(Into::into),
        cancel_window_minutes: quote.cancel_window_minutes,
    }))
}
