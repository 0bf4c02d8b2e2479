//! Channel allocations — the units a location keeps back from a channel, whether it sells
//! through it at all, and how long an order's hold lasts there — and the available-to-promise
//! of a SKU across a site's locations, which they shape.
//!
//! A channel without an allocation sells everything available, with no hold limit.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::channel::Channel;
use omnicanal_store::{ChannelAllocationRow, LocationRow, StockFilter};

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change, Snapshot};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// Largest safety buffer accepted.
pub const MAX_SAFETY_BUFFER: i64 = 1_000_000;
/// Longest hold accepted, in minutes: a week.
pub const MAX_HOLD_MINUTES: i64 = 7 * 24 * 60;

/// How a location is to sell through a channel, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAllocation {
    /// The channel.
    pub channel: Channel,
    /// Units kept back from it (0 to [`MAX_SAFETY_BUFFER`]).
    pub safety_buffer: i64,
    /// Whether the location sells through it.
    pub enabled: bool,
    /// How long an order's hold lasts while not accepted (1 minute to a week; None: no limit).
    pub hold_ttl_ms: Option<i64>,
}

impl ChannelAllocation {
    /// Parses an allocation, reporting every bad field at once.
    pub fn parse(channel: &str, safety_buffer: i64, enabled: bool, hold_minutes: Option<i64>) -> AppResult<Self> {
        let mut v = Validator::new();
        let channel = v.check("channel", Channel::parse(channel));
        if !(0..=MAX_SAFETY_BUFFER).contains(&safety_buffer) {
            v.push("safety_buffer", format!("must be between 0 and {MAX_SAFETY_BUFFER}"));
        }
        if hold_minutes.is_some_and(|minutes| !(1..=MAX_HOLD_MINUTES).contains(&minutes)) {
            v.push("hold_minutes", format!("must be between 1 and {MAX_HOLD_MINUTES}"));
        }
        v.done(|| {
            Some(Self { channel: channel?, safety_buffer, enabled, hold_ttl_ms: hold_minutes.map(|m| m * 60_000) })
        })
    }
}

/// Which SKU's availability, where, for which channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityQuery {
    /// The site.
    pub site_id: String,
    /// The SKU.
    pub sku: Sku,
    /// The channel asking.
    pub channel: Channel,
}

impl AvailabilityQuery {
    /// Parses the query; the channel defaults to `web`.
    pub fn parse(site_id: String, sku: &str, channel: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let sku = v.check("sku", Sku::parse(sku));
        let channel = v.check("channel", channel.map_or(Ok(Channel::Web), Channel::parse));
        v.done(|| Some(Self { site_id, sku: sku?, channel: channel? }))
    }
}

/// One location's share of a SKU's availability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationAvailability {
    /// Location.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised.
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
    /// Units kept back from the channel.
    pub safety_buffer: i64,
    /// Whether the location sells through the channel.
    pub enabled: bool,
    /// Switched to sold out by the location's staff.
    pub sold_out: bool,
    /// What the channel may promise here: `max(0, available − safety_buffer)`, 0 when disabled
    /// or sold out.
    pub available_to_promise: i64,
}

/// A SKU's availability across a site, per location the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    /// The query answered.
    pub query: AvailabilityQuery,
    /// Per location that stocks the SKU.
    pub locations: Vec<LocationAvailability>,
}

impl Availability {
    /// The sum over the locations.
    pub fn available_to_promise(&self) -> i64 {
        self.locations.iter().map(|location| location.available_to_promise).sum()
    }
}

impl App {
    /// A location's channel allocations (anyone who may see the location).
    pub async fn channel_allocations(
        &self,
        caller: &Caller,
        location_id: &str,
    ) -> AppResult<Vec<ChannelAllocationRow>> {
        let location = self.allocation_location(caller, location_id).await?;
        Ok(self.store.list_channel_allocations(&location.id).await?)
    }

    /// Sets how a location sells through a channel (its manager or an admin).
    pub async fn set_channel_allocation(
        &self,
        caller: &Caller,
        location_id: &str,
        allocation: ChannelAllocation,
    ) -> AppResult<ChannelAllocationRow> {
        let location = self.allocation_location(caller, location_id).await?;
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let before = self
            .store
            .list_channel_allocations(&location.id)
            .await?
            .into_iter()
            .find(|a| a.channel == allocation.channel);
        let row = ChannelAllocationRow {
            location_id: location.id,
            channel: allocation.channel,
            safety_buffer: allocation.safety_buffer,
            enabled: allocation.enabled,
            hold_ttl_ms: allocation.hold_ttl_ms,
            updated_at_ms: self.now_ms(),
        };
        self.store.upsert_channel_allocation(&row).await?;
        let change = Change::new(
            AuditEntity::Channel,
            &format!("{}/{}", row.location_id, row.channel),
            AuditAction::Updated,
            Some(&location.merchant_id),
        );
        self.record_change(caller, change.values(before.map(|b| b.snapshot()), Some(row.snapshot()))).await;
        Ok(row)
    }

    /// Available-to-promise of a SKU for a channel across the site's locations the caller may
    /// see (those that stock it). An unknown site is `NotFound`.
    pub async fn availability(&self, caller: &Caller, query: AvailabilityQuery) -> AppResult<Availability> {
        self.store.get_site(&query.site_id).await?.ok_or(AppError::NotFound("site"))?;
        let now_ms = self.now_ms();
        let mut locations = Vec::new();
        for location in self.store.list_site_locations(&query.site_id).await? {
            if !caller.sees_location(&location.merchant_id, &location.id) {
                continue;
            }
            if let Some(share) = self.location_availability(&location, &query, now_ms).await? {
                locations.push(share);
            }
        }
        Ok(Availability { query, locations })
    }

    async fn location_availability(
        &self,
        location: &LocationRow,
        query: &AvailabilityQuery,
        now_ms: i64,
    ) -> AppResult<Option<LocationAvailability>> {
        let filter = StockFilter {
            location_id: Some(location.id.clone()),
            sku: Some(query.sku.as_str().to_owned()),
            now_ms,
            ..StockFilter::default()
        };
        let Some(level) = self.store.list_stock(&filter).await?.into_iter().next() else { return Ok(None) };
        let allocation = self
            .store
            .list_channel_allocations(&location.id)
            .await?
            .into_iter()
            .find(|allocation| allocation.channel == query.channel);
        let (safety_buffer, enabled) = allocation.map_or((0, true), |a| (a.safety_buffer, a.enabled));
        let sold_out = self.store.list_sold_out(&location.id).await?.iter().any(|row| row.sku == query.sku.as_str());
        let available_to_promise = if enabled && !sold_out { (level.available - safety_buffer).max(0) } else { 0 };
        Ok(Some(LocationAvailability {
            location_id: location.id.clone(),
            on_hand: level.on_hand,
            reserved: level.reserved,
            available: level.available,
            safety_buffer,
            enabled,
            sold_out,
            available_to_promise,
        }))
    }

    /// The location, if the caller may see it (`NotFound("location")` otherwise).
    async fn allocation_location(&self, caller: &Caller, location_id: &str) -> AppResult<LocationRow> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        Ok(location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allocation_reports_every_bad_field_and_keeps_holds_in_milliseconds() {
        let fields = match ChannelAllocation::parse("fax", -1, true, Some(0)) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("expected invalid fields, got {other:?}"),
        };
        assert_eq!(fields, ["channel", "safety_buffer", "hold_minutes"]);
        let allocation = ChannelAllocation::parse("shop:mercado-libre", 2, true, Some(15)).ok();
        assert_eq!(
            allocation.map(|a| (a.channel, a.hold_ttl_ms)),
            Some((Channel::Shop("mercado-libre".into()), Some(900_000)))
        );
        assert_eq!(AvailabilityQuery::parse("s".into(), "SKU-1", None).ok().map(|q| q.channel), Some(Channel::Web));
    }
}
