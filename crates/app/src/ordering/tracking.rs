//! Reading an order: its customer follows it with the tracking token; staff see the parts of
//! their merchant (staff members: of their location); platform users see every part.
//!
//! Anyone else gets `NotFound("order")`, never `Forbidden`, so order ids cannot be probed. The
//! token is compared in constant time.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{FulfillmentRecord, LocationRow, OrderRecord, OrderRow, SiteRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::constant_time_eq;

/// An order as its reader may see it.
#[derive(Debug, Clone)]
pub struct VisibleOrder {
    /// The order, with only the parts the reader may see.
    pub record: OrderRecord,
    /// True for the customer (the tracking token and pickup codes are shown).
    pub for_customer: bool,
}

/// Decides what of `order` its reader sees: everything for the holder of its token, the
/// merchant's own parts for staff, all parts for platform users; `NotFound` otherwise.
pub fn visible_order(mut order: OrderRecord, caller: Option<&Caller>, token: Option<&str>) -> AppResult<VisibleOrder> {
    if token.is_some_and(|token| constant_time_eq(token, &order.order.tracking_token)) {
        return Ok(VisibleOrder { record: order, for_customer: true });
    }
    let caller = caller.ok_or(AppError::NotFound("order"))?;
    if !caller.is_platform() {
        order.fulfillments.retain(|part| caller.sees_location(&part.merchant_id, &part.location_id));
        if order.fulfillments.is_empty() {
            return Err(AppError::NotFound("order"));
        }
    }
    Ok(VisibleOrder { record: order, for_customer: false })
}

/// An order on its customer's page: the site, the order, and each part with where it is
/// collected and whether it has waited past the site's acceptance limit.
#[derive(Debug, Clone)]
pub struct TrackedOrder {
    /// The site.
    pub site: SiteRow,
    /// The order.
    pub order: OrderRow,
    /// Its parts, in the order's order.
    pub parts: Vec<TrackedPart>,
}

/// One part of a tracked order.
#[derive(Debug, Clone)]
pub struct TrackedPart {
    /// The part.
    pub fulfillment: FulfillmentRecord,
    /// Its location (None if it no longer exists).
    pub location: Option<LocationRow>,
    /// Under `notify_only`, when the part should have been accepted by (Unix ms).
    pub accept_by_ms: Option<i64>,
    /// True when the part is still `placed` after `accept_by_ms`.
    pub not_accepted: bool,
}

impl App {
    /// An order for its customer (`token`) or for a signed-in reader, as [`visible_order`]
    /// decides.
    pub async fn order_for_reader(
        &self,
        order_id: &str,
        caller: Option<&Caller>,
        token: Option<&str>,
    ) -> AppResult<VisibleOrder> {
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        visible_order(order, caller, token)
    }

    /// An order of `site_id` for the customer holding its tracking token (the order page);
    /// `NotFound` for a wrong site or token.
    pub async fn tracked_order(&self, site_id: &str, order_id: &str, token: Option<&str>) -> AppResult<TrackedOrder> {
        let site = self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))?;
        let record = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        let token_matches = token.is_some_and(|token| constant_time_eq(token, &record.order.tracking_token));
        if record.order.site_id != site.id || !token_matches {
            return Err(AppError::NotFound("order"));
        }
        // Under `notify_only` a part not accepted in time stays; the page warns from its limit on.
        let accept_within_ms = site
            .accept_within_minutes
            .filter(|_| site.unaccepted_policy == UnacceptedPolicy::NotifyOnly)
            .map(|minutes| minutes * 60_000);
        let now_ms = self.now_ms();
        let mut parts = Vec::with_capacity(record.fulfillments.len());
        for fulfillment in record.fulfillments {
            let location = self.store.get_location(&fulfillment.location_id).await?;
            let accept_by_ms = accept_within_ms.map(|within| fulfillment.created_at_ms + within);
            let not_accepted =
                fulfillment.status == FulfillmentStatus::Placed && accept_by_ms.is_some_and(|by| now_ms >= by);
            parts.push(TrackedPart { fulfillment, location, accept_by_ms, not_accepted });
        }
        Ok(TrackedOrder { site, order: record.order, parts })
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::access::Role;
    use omnicanal_domain::channel::Channel;
    use omnicanal_domain::payment::PaymentMethod;

    use super::*;

    fn part(merchant: &str, location: &str) -> FulfillmentRecord {
        FulfillmentRecord {
            id: format!("ful_{location}"),
            order_id: "ord".into(),
            merchant_id: merchant.into(),
            location_id: location.into(),
            status: FulfillmentStatus::Placed,
            pickup_code: "1234".into(),
            subtotal_minor: 1000,
            currency: omnicanal_domain::Currency::Clp,
            captured_minor: 0,
            refunded_minor: 0,
            reason: None,
            hold_expires_at_ms: None,
            created_at_ms: 0,
            updated_at_ms: 0,
            pricing: Default::default(),
            preparation: Default::default(),
            lines: vec![],
        }
    }

    fn order() -> OrderRecord {
        OrderRecord {
            order: OrderRow {
                id: "ord".into(),
                number: 1,
                site_id: "site".into(),
                channel: Channel::Qr,
                customer_name: "Ana".into(),
                customer_phone: None,
                customer_email: None,
                tracking_token: "secret-token".into(),
                currency: omnicanal_domain::Currency::Clp,
                total_minor: 2000,
                payment_method: PaymentMethod::PayAtPickup,
                payment_reference: None,
                captured_minor: 0,
                refunded_minor: 0,
                outstanding_minor: 2000,
                pickup_at: None,
                customer_tax_id: None,
                table_label: None,
                quote_json: None,
                created_at_ms: 0,
                delivery: None,
            },
            fulfillments: vec![part("mer_a", "loc_a"), part("mer_b", "loc_b")],
        }
    }

    fn caller(role: Role, merchant: Option<&str>, location: Option<&str>) -> Caller {
        Caller {
            id: "usr".into(),
            email: "x@y.cl".into(),
            role,
            merchant_id: merchant.map(str::to_owned),
            location_id: location.map(str::to_owned),
        }
    }

    #[test]
    fn the_token_shows_everything_and_staff_see_only_their_parts() -> AppResult<()> {
        let customer = visible_order(order(), None, Some("secret-token"))?;
        assert!(customer.for_customer);
        assert_eq!(customer.record.fulfillments.len(), 2);
        assert!(matches!(visible_order(order(), None, Some("wrong")), Err(AppError::NotFound("order"))));
        let manager = caller(Role::MerchantManager, Some("mer_b"), None);
        let seen = visible_order(order(), Some(&manager), None)?;
        assert!(!seen.for_customer);
        assert_eq!(seen.record.fulfillments.iter().map(|p| p.location_id.as_str()).collect::<Vec<_>>(), ["loc_b"]);
        let stranger = caller(Role::Staff, Some("mer_c"), Some("loc_c"));
        assert!(matches!(visible_order(order(), Some(&stranger), None), Err(AppError::NotFound("order"))));
        let admin = caller(Role::Admin, None, None);
        assert_eq!(visible_order(order(), Some(&admin), None)?.record.fulfillments.len(), 2);
        Ok(())
    }
}
