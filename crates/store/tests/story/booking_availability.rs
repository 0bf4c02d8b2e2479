//! [`BookingAvailabilityStore`] on both databases (issue 19 points 1–2): a resource's details
//! replaced whole; exception days listed by day within the range and deleted once, only from
//! their own location; performers replaced; services listed and edited, the buffer before
//! kept; the claimed cells a search reads (only the resources and the range asked); a booking on
//! joined tables claiming every member, twenty of them racing over shared tables giving one;
//! bookings that overlap only through a buffer before refused as any overlap is; and places.
//! Writes that break a constraint (an unknown resource, a kind or a coordinate out of range)
//! are refused and store nothing.

use std::sync::Arc;

use omnicanal_domain::bookings::booking::{BookingStatus, Occupancy};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    BookingAvailabilityStore, BookingExceptionRow, BookingInsert, BookingResourceDetailsRow, BookingResourceRow,
    BookingRow, BookingServiceRow, LocationPlaceRow, SqlStore, Store, StoreError,
};

use crate::support::{Shop, T0};

/// On the 15-minute grid, a day ahead.
pub const START: i64 = T0 - T0 % 900_000 + 86_400_000;
/// One hour.
pub const HOUR: i64 = 3_600_000;

/// A stored resource of the shop's location.
pub async fn resource(store: &dyn Store, shop: &Shop, id: &str, kind: ResourceKind) -> BookingResourceRow {
    let seats = (kind == ResourceKind::Table).then_some(4);
    let row = BookingResourceRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        kind,
        name: id.into(),
        seats_min: seats.map(|_| 1),
        seats_max: seats,
        created_ms: T0,
    };
    store.insert_booking_resource(&row).await.expect("a resource");
    row
}

/// A booking row of the shop on `resource_id` for `minutes` (buffer not included): the one
/// place these stories spell a `BookingRow` out.
pub fn booking_row(shop: &Shop, id: &str, resource_id: &str, start_ms: i64, minutes: i64) -> BookingRow {
    BookingRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        resource_id: resource_id.into(),
        service_id: None,
        party_size: Some(2),
        start_ms,
        end_ms: start_ms + minutes * 60_000,
        blocked_until_ms: start_ms + minutes * 60_000,
        status: BookingStatus::Confirmed,
        customer_name: "Camila".into(),
        customer_phone: None,
        customer_email: None,
        manage_token_hash: "hash".into(),
        created_ms: T0,
        cancelled_ms: None,
    }
}

pub async fn booking_availability_reads_what_a_search_needs_and_joined_tables_claim_every_member(
    shared: Arc<SqlStore>,
) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let t1 = resource(store, &shop, "res_av_t1", ResourceKind::Table).await;
    let t2 = resource(store, &shop, "res_av_t2", ResourceKind::Table).await;
    let t3 = resource(store, &shop, "res_av_t3", ResourceKind::Table).await;
    let ana = resource(store, &shop, "res_av_ana", ResourceKind::Staff).await;

    // Details: replaced whole, listed only for resources that have them.
    let mut details = BookingResourceDetailsRow {
        resource_id: t1.id.clone(),
        zone: Some("terraza".into()),
        combine_group: Some("g".into()),
        working_hours_json: None,
        updated_ms: T0,
    };
    store.put_booking_resource_details(&details).await.expect("details");
    details.zone = None;
    details.updated_ms = T0 + 1;
    store.put_booking_resource_details(&details).await.expect("replaced");
    let listed = store.list_booking_resource_details(&shop.location.id).await.expect("listed");
    assert_eq!(listed, vec![details.clone()], "one row, the last one put");
    let unknown = BookingResourceDetailsRow { resource_id: "res_nobody".into(), ..details.clone() };
    assert!(store.put_booking_resource_details(&unknown).await.is_err(), "an unknown resource is refused");
    assert_eq!(store.list_booking_resource_details(&shop.location.id).await.expect("listed").len(), 1);

    // Exception days: by day within the inclusive range; deleted once, and only from their location.
    let exception = |id: &str, day: &str, resource_id: Option<&str>, kind: &str| BookingExceptionRow {
        id: id.into(),
        location_id: shop.location.id.clone(),
        resource_id: resource_id.map(Into::into),
        day: day.into(),
        kind: kind.into(),
        hours_json: None,
        created_ms: T0,
    };
    for row in [
        exception("bex_3", "2026-12-10", Some(&ana.id), "day_off"),
        exception("bex_1", "2026-12-08", None, "holiday"),
        exception("bex_9", "2026-12-20", None, "holiday"),
    ] {
        store.insert_booking_exception(&row).await.expect("an exception");
    }
    let bad_kind = exception("bex_x", "2026-12-11", None, "vacation");
    assert!(store.insert_booking_exception(&bad_kind).await.is_err(), "a kind outside the CHECK");
    let in_range = store.list_booking_exceptions(&shop.location.id, "2026-12-08", "2026-12-10").await.expect("list");
    assert_eq!(in_range.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), ["bex_1", "bex_3"]);
    assert_eq!(in_range[1].resource_id.as_deref(), Some(ana.id.as_str()));
    assert!(!store.delete_booking_exception("loc_other", "bex_1").await.expect("other location"));
    assert!(store.delete_booking_exception(&shop.location.id, "bex_1").await.expect("deleted"));
    assert!(!store.delete_booking_exception(&shop.location.id, "bex_1").await.expect("once"));

    // Services: listed oldest first within the limit, edited with their buffer before.
    let service = |id: &str, created_ms: i64| BookingServiceRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        name: format!("Corte {id}"),
        duration_minutes: 45,
        buffer_minutes: 10,
        price: None,
        created_ms,
        buffer_before_minutes: 15,
    };
    let (cut, color) = (service("svc_av_cut", T0), service("svc_av_color", T0 + 1));
    for row in [&color, &cut] {
        store.insert_booking_service(row).await.expect("a service");
    }
    let services = store.list_booking_services(&shop.merchant.id, 10).await.expect("services");
    assert_eq!(services, vec![cut.clone(), color.clone()], "oldest first, buffer before read back");
    assert_eq!(store.list_booking_services(&shop.merchant.id, 1).await.expect("limited").len(), 1);
    let edited = BookingServiceRow {
        name: "Color".into(),
        duration_minutes: 90,
        buffer_minutes: 0,
        buffer_before_minutes: 30,
        price: Some(Money::new(25_000, Currency::Clp)),
        ..color.clone()
    };
    assert!(store.update_booking_service(&edited).await.expect("edited"));
    assert_eq!(store.get_booking_service(&color.id).await.expect("read"), Some(edited.clone()));
    let missing = BookingServiceRow { id: "svc_nobody".into(), ..edited.clone() };
    assert!(!store.update_booking_service(&missing).await.expect("no such service"));
    let negative = BookingServiceRow { buffer_before_minutes: -5, ..edited.clone() };
    assert!(store.update_booking_service(&negative).await.is_err(), "a negative buffer breaks the CHECK");

    // Performers: replaced whole; empty clears; an unknown resource is refused and changes nothing.
    store.set_service_performers(&cut.id, std::slice::from_ref(&ana.id)).await.expect("performers");
    assert_eq!(store.service_performers(&cut.id).await.expect("read"), vec![ana.id.clone()]);
    let refused = store.set_service_performers(&cut.id, &["res_nobody".into()]).await;
    assert!(refused.is_err(), "an unknown performer");
    assert_eq!(store.service_performers(&cut.id).await.expect("kept"), vec![ana.id.clone()]);
    store.set_service_performers(&cut.id, &[]).await.expect("cleared");
    assert!(store.service_performers(&cut.id).await.expect("read").is_empty());

    // A booking whose buffer before reaches into another's time is refused as any overlap is.
    let prepared = Occupancy::with_buffers(START + 2 * HOUR, 60, 30, 0);
    let colour = booking_row(&shop, "bkg_av_colour", &ana.id, START + 2 * HOUR, 60);
    assert_eq!(
        store.insert_booking(&colour, &prepared.cell_starts_ms(), &[]).await.expect("colour"),
        BookingInsert::Booked
    );
    let before = booking_row(&shop, "bkg_av_before", &ana.id, START + HOUR, 45);
    let ends_in_the_preparation = Occupancy::new(before.start_ms, 45, 0).cell_starts_ms();
    assert_eq!(
        store.insert_booking(&before, &ends_in_the_preparation, &[]).await.expect("before"),
        BookingInsert::Taken
    );
    let earlier = booking_row(&shop, "bkg_av_earlier", &ana.id, START + HOUR - 15 * 60_000, 45);
    let ends_as_it_starts = Occupancy::new(earlier.start_ms, 45, 0).cell_starts_ms();
    assert_eq!(store.insert_booking(&earlier, &ends_as_it_starts, &[]).await.expect("earlier"), BookingInsert::Booked);

    // The claimed cells a search reads: the resources asked, in [from, to), by resource and cell.
    let cells = store
        .claimed_cells_between(std::slice::from_ref(&ana.id), START + HOUR, START + 2 * HOUR)
        .await
        .expect("cells");
    let starts: Vec<i64> = cells.iter().map(|(_, cell)| (cell - START) / 60_000).collect();
    assert_eq!(starts, [60, 75, 90, 105], "the earlier booking's and the colour's preparation");
    assert!(
        store
            .claimed_cells_between(std::slice::from_ref(&t1.id), START, START + 4 * HOUR)
            .await
            .expect("none")
            .is_empty()
    );
    assert!(store.claimed_cells_between(&[], START, START + 4 * HOUR).await.expect("no resource").is_empty());

    // Joined tables: twenty bookings over t1+t2, t2+t3 and t1+t3 race for one time; one wins,
    // and every member of the winner is claimed.
    let pairs = [[&t1, &t2], [&t2, &t3], [&t1, &t3]];
    let attempts: Vec<_> = (0..20)
        .map(|n| {
            let store = shared.clone();
            let members: Vec<String> = pairs[n % 3].iter().map(|table| table.id.clone()).collect();
            let row = booking_row(&shop, &format!("bkg_av_joined_{n}"), &members[0], START + 8 * HOUR, 90);
            let cells = Occupancy::new(row.start_ms, 90, 15).cell_starts_ms();
            tokio::spawn(async move {
                let answer = store.insert_joined_booking(&row, &members, &cells, None, &[]).await.expect("joined");
                (row.id, members, answer)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for attempt in attempts {
        let (id, members, answer) = attempt.await.expect("a task");
        if answer == BookingInsert::Booked {
            winners.push((id, members));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one of twenty joined bookings: {winners:?}");
    let (winner, mut members) = winners.remove(0);
    members.sort();
    assert_eq!(store.booking_members(&winner).await.expect("members"), members);
    let ids = vec![t1.id.clone(), t2.id.clone(), t3.id.clone()];
    let claimed = store.claimed_cells_between(&ids, START + 8 * HOUR, START + 9 * HOUR).await.expect("claimed");
    let mut claimed_members: Vec<String> = claimed.into_iter().map(|(id, _)| id).collect();
    claimed_members.dedup();
    assert_eq!(claimed_members, members, "every member of the winner, and only them");
    assert!(store.booking_members(&colour.id).await.expect("one resource").is_empty());

    // A held booking on joined tables keeps its hold; no member is an error, not a booking.
    let held = booking_row(&shop, "bkg_av_held", &t1.id, START + 20 * HOUR, 90);
    let cells = Occupancy::new(held.start_ms, 90, 15).cell_starts_ms();
    let both = [t1.id.clone(), t2.id.clone()];
    let inserted = store.insert_joined_booking(&held, &both, &cells, Some(T0 + 600_000), &[]).await.expect("held");
    assert_eq!(inserted, BookingInsert::Booked);
    assert_eq!(store.booking_hold_expiry(&held.id).await.expect("hold"), Some(T0 + 600_000));
    let nobody = booking_row(&shop, "bkg_av_nobody", &t1.id, START + 30 * HOUR, 90);
    let empty = store.insert_joined_booking(&nobody, &[], &cells, None, &[]).await;
    assert!(matches!(empty, Err(StoreError::Inconsistent(_))), "{empty:?}");
    assert!(store.get_booking(&nobody.id).await.expect("read").is_none());

    // Places: replaced whole, listed by location; a latitude off the globe is refused.
    let place = LocationPlaceRow {
        location_id: shop.location.id.clone(),
        latitude_e6: -33_437_800,
        longitude_e6: -70_650_400,
        comuna: Some("Providencia".into()),
        updated_ms: T0,
    };
    store.put_location_place(&place).await.expect("a place");
    let moved = LocationPlaceRow { comuna: None, latitude_e6: -33_400_000, ..place.clone() };
    store.put_location_place(&moved).await.expect("moved");
    assert_eq!(store.get_location_place(&shop.location.id).await.expect("read"), Some(moved.clone()));
    assert_eq!(store.list_location_places(10).await.expect("list"), vec![moved.clone()]);
    let off_the_globe = LocationPlaceRow { latitude_e6: 91_000_000, ..moved.clone() };
    assert!(store.put_location_place(&off_the_globe).await.is_err(), "a latitude past the pole");
    assert_eq!(store.get_location_place(&shop.location.id).await.expect("kept"), Some(moved));
    assert_eq!(store.get_location_place("loc_nowhere").await.expect("none"), None);
}
