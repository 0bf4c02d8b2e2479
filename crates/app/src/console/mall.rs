//! The mall-wide view: an operator (admin) sees every location of a site at once, each with
//! how many parts are still to hand over and how many of them are late, to pause a kitchen
//! that is overwhelmed. Lateness is the domain's rule (`kitchen::lateness`), the same as the
//! kitchen display's, read from one query for the whole site rather than one per location.
//!
//! Only admins: a site spans merchants, so anyone else is told it does not exist.

use omnicanal_domain::access::Role;
use omnicanal_domain::kitchen::{PartClock, lateness};
use omnicanal_store::{LivePartRow, LocationRow, SiteRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::parse_time;

/// A site with each of its locations' live figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MallView {
    /// The site (time zone for the locations' states).
    pub site: SiteRow,
    /// Its locations, by name.
    pub locations: Vec<MallLocation>,
    /// When the figures were read, by the app's clock.
    pub now_ms: i64,
}

/// One location of the mall-wide view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MallLocation {
    /// The location (its switches say open, paused or off).
    pub location: LocationRow,
    /// Parts placed, accepted, preparing or ready: not yet handed over.
    pub queue: usize,
    /// Of those, the ones late by the kitchen display's rules.
    pub late: usize,
}

impl App {
    /// Every location of `site_id` with its queue length and late parts (admins only; anyone
    /// else, like a site that does not exist, is "not found").
    pub async fn mall_view(&self, caller: &Caller, site_id: &str) -> AppResult<MallView> {
        if caller.role != Role::Admin {
            return Err(AppError::NotFound("site"));
        }
        let site = self.store.get_site(site_id).await?.ok_or(AppError::NotFound("site"))?;
        let mut locations = self.store.list_site_locations(&site.id).await?;
        locations.sort_by_key(|location| location.name.to_lowercase());
        let parts = self.store.site_live_parts(&site.id).await?;
        let now_ms = self.now_ms();
        let locations = locations
            .into_iter()
            .map(|location| {
                let (queue, late) = count(&parts, &location.id, now_ms);
                MallLocation { location, queue, late }
            })
            .collect();
        Ok(MallView { site, locations, now_ms })
    }
}

/// How many of `parts` are at `location_id`, and how many of those are late at `now_ms`.
fn count(parts: &[LivePartRow], location_id: &str, now_ms: i64) -> (usize, usize) {
    let here = parts.iter().filter(|part| part.location_id == location_id);
    let late = here
        .clone()
        .filter(|part| {
            let clock = PartClock {
                status: part.status,
                created_at_ms: part.created_at_ms,
                hold_expires_at_ms: part.hold_expires_at_ms,
                estimated_ready_ms: part.estimated_ready_ms,
                pickup_at_ms: part.pickup_at.as_deref().and_then(parse_time),
            };
            lateness(&clock, now_ms).is_some()
        })
        .count();
    (here.count(), late)
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::fulfillment::FulfillmentStatus;

    use super::*;

    fn part(location_id: &str, status: FulfillmentStatus, created_at_ms: i64) -> LivePartRow {
        LivePartRow {
            location_id: location_id.into(),
            status,
            created_at_ms,
            hold_expires_at_ms: None,
            estimated_ready_ms: None,
            pickup_at: None,
        }
    }

    #[test]
    fn a_location_counts_its_own_parts_and_the_late_ones_among_them() {
        let minute = 60_000;
        let parts = vec![
            part("a", FulfillmentStatus::Placed, 0),
            part("a", FulfillmentStatus::Placed, 9 * minute),
            LivePartRow { estimated_ready_ms: Some(5 * minute), ..part("a", FulfillmentStatus::Preparing, 0) },
            part("b", FulfillmentStatus::Ready, 0),
        ];
        // At minute 10: the first placed part waits unanswered past 5 minutes, the one in
        // preparation is past its estimate; a ready part is never late by itself.
        assert_eq!(count(&parts, "a", 10 * minute), (3, 2));
        assert_eq!(count(&parts, "b", 10 * minute), (1, 0));
        assert_eq!(count(&parts, "c", 10 * minute), (0, 0));
    }
}
