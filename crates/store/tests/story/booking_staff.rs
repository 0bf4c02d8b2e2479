//! [`BookingStaffStore`] on both databases (issue 19 point 5): a location's bookings over a
//! range (by start, only those whose time meets it, within the limit, not another location's);
//! a status move made once however many taps race, keeping the claims while the booking holds
//! its time and freeing them when it does not; the no-shows found by phone or e-mail within the
//! merchant; and the counts by status of a period.

use std::sync::Arc;

use omnicanal_domain::bookings::booking::{BookingAnnounced, BookingStatus, Occupancy};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{BookingInsert, BookingRow, BookingStaffStore, NewEvent, SqlStore, Store};

use crate::booking_availability::{HOUR, START, booking_row, resource};
use crate::support::{Shop, T0};

fn changed(booking: &BookingRow, n: usize) -> Vec<NewEvent> {
    let announced = BookingAnnounced {
        booking_id: booking.id.clone(),
        merchant_id: booking.merchant_id.clone(),
        location_id: booking.location_id.clone(),
        resource_id: booking.resource_id.clone(),
        service_id: None,
        party_size: booking.party_size,
        start_at: booking.start_ms,
        end_at: booking.end_ms,
        status: booking.status,
    };
    vec![NewEvent {
        event_id: format!("evt_{}_{n}", booking.id),
        created_at_ms: T0,
        event: DomainEvent::BookingChanged(announced),
    }]
}

async fn book(store: &dyn Store, row: &BookingRow) -> BookingInsert {
    store.insert_booking(row, &Occupancy::new(row.start_ms, 60, 0).cell_starts_ms(), &[]).await.expect("insert")
}

pub async fn booking_staff_moves_happen_once_and_the_schedule_reads_its_range(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let table = resource(store, &shop, "res_staff_t1", ResourceKind::Table).await;
    let with_contact = |id: &str, start_ms: i64, phone: Option<&str>, email: Option<&str>| BookingRow {
        customer_phone: phone.map(Into::into),
        customer_email: email.map(Into::into),
        ..booking_row(&shop, id, &table.id, start_ms, 60)
    };
    let early = with_contact("bkg_st_early", START + HOUR, Some("+56987654321"), None);
    let noon = with_contact("bkg_st_noon", START + 3 * HOUR, None, Some("camila@example.cl"));
    let late = with_contact("bkg_st_late", START + 5 * HOUR, Some("+56911111111"), None);
    let tomorrow = with_contact("bkg_st_tomorrow", START + 26 * HOUR, Some("+56987654321"), None);
    for row in [&late, &early, &tomorrow, &noon] {
        assert_eq!(book(store, row).await, BookingInsert::Booked);
    }

    // The schedule: by start, those whose time meets [from, to) (a booking running into the
    // range included, one ending as it opens not), within the limit.
    let day = store.location_bookings_between(&shop.location.id, START, START + 24 * HOUR, 50).await.expect("day");
    assert_eq!(day.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), [&early.id, &noon.id, &late.id]);
    let running = store
        .location_bookings_between(&shop.location.id, START + HOUR + 30 * 60_000, START + 4 * HOUR, 50)
        .await
        .expect("from the middle of the first");
    assert_eq!(running.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), [&early.id, &noon.id]);
    let after_the_first = store
        .location_bookings_between(&shop.location.id, START + 2 * HOUR, START + 3 * HOUR, 50)
        .await
        .expect("between");
    assert!(after_the_first.is_empty(), "the first ended as the range opened: {after_the_first:?}");
    let limited = store.location_bookings_between(&shop.location.id, START, START + 24 * HOUR, 2).await;
    assert_eq!(limited.expect("limited").len(), 2);
    assert!(
        store.location_bookings_between("loc_other", START, START + 48 * HOUR, 50).await.expect("other").is_empty()
    );

    // Ten taps race to seat the first booking: one moves it, with one event.
    let head = store.outbox_head().await.expect("head");
    let taps: Vec<_> = (0..10)
        .map(|n| {
            let store = shared.clone();
            let events = changed(&early, n);
            let id = early.id.clone();
            tokio::spawn(async move {
                store
                    .move_booking_status(&id, BookingStatus::Confirmed, BookingStatus::Seated, T0, &events)
                    .await
                    .expect("a tap")
            })
        })
        .collect();
    let mut moved = 0;
    for tap in taps {
        moved += usize::from(tap.await.expect("a task"));
    }
    assert_eq!(moved, 1, "one tap of ten moves it");
    assert_eq!(store.outbox_after(head, 20).await.expect("events").len(), 1, "one event");
    // Seated still holds its time: the table is taken there.
    let probe = booking_row(&shop, "bkg_st_probe", &table.id, early.start_ms, 60);
    assert_eq!(book(store, &probe).await, BookingInsert::Taken, "a seated booking keeps its claims");
    // Completing it frees the table at once.
    assert!(
        store
            .move_booking_status(&early.id, BookingStatus::Seated, BookingStatus::Completed, T0, &[])
            .await
            .expect("completed")
    );
    assert_eq!(book(store, &probe).await, BookingInsert::Booked, "a completed booking frees its cells");
    // A move from a status it is not in writes nothing.
    let head = store.outbox_head().await.expect("head");
    let stale = store
        .move_booking_status(&noon.id, BookingStatus::Seated, BookingStatus::Completed, T0, &changed(&noon, 99))
        .await
        .expect("stale");
    assert!(!stale, "noon was never seated");
    assert_eq!(store.outbox_after(head, 20).await.expect("events").len(), 0, "and no event");
    assert_eq!(store.get_booking(&noon.id).await.expect("read").map(|row| row.status), Some(BookingStatus::Confirmed));

    // No-shows and a cancellation: the no-show frees the table, the cancellation is stamped.
    for row in [&noon, &tomorrow] {
        assert!(
            store
                .move_booking_status(&row.id, BookingStatus::Confirmed, BookingStatus::NoShow, T0 + 5, &[])
                .await
                .expect("no-show")
        );
    }
    assert!(
        store
            .move_booking_status(&late.id, BookingStatus::Confirmed, BookingStatus::Cancelled, T0 + 7, &[])
            .await
            .expect("cancelled")
    );
    let cancelled = store.get_booking(&late.id).await.expect("read").expect("kept");
    assert_eq!((cancelled.status, cancelled.cancelled_ms), (BookingStatus::Cancelled, Some(T0 + 7)));
    let no_show = store.get_booking(&noon.id).await.expect("read").expect("kept");
    assert_eq!(no_show.cancelled_ms, None, "a no-show is not a cancellation");
    let walk_in = booking_row(&shop, "bkg_st_walk_in", &table.id, noon.start_ms, 60);
    assert_eq!(book(store, &walk_in).await, BookingInsert::Booked, "the no-show gave the table back");

    // The no-shows found by phone or by e-mail; nothing asked, nothing found; another merchant none.
    let merchant = &shop.merchant.id;
    let by_phone = store.no_show_contacts(merchant, &["+56987654321".into()], &[], 10).await.expect("by phone");
    assert_eq!(by_phone, vec![(Some("+56987654321".to_owned()), None)]);
    let by_email = store.no_show_contacts(merchant, &[], &["camila@example.cl".into()], 10).await.expect("e-mail");
    assert_eq!(by_email, vec![(None, Some("camila@example.cl".to_owned()))]);
    let both = store
        .no_show_contacts(merchant, &["+56987654321".into(), "+56911111111".into()], &["camila@example.cl".into()], 10)
        .await
        .expect("both");
    assert_eq!(both.len(), 2, "the cancelled booking's phone is no no-show: {both:?}");
    assert!(store.no_show_contacts(merchant, &[], &[], 10).await.expect("nothing asked").is_empty());
    let theirs = store.no_show_contacts("mer_other", &["+56987654321".into()], &[], 10).await.expect("other");
    assert!(theirs.is_empty());
    assert_eq!(
        store
            .no_show_contacts(merchant, &["+56987654321".into()], &["camila@example.cl".into()], 1)
            .await
            .expect("limit")
            .len(),
        1
    );

    // The counts of the day, by status.
    let mut counts = store.booking_status_counts(&shop.location.id, START, START + 24 * HOUR).await.expect("counts");
    counts.sort_by_key(|(status, _)| status.as_str());
    let expected = [
        (BookingStatus::Cancelled, 1),
        (BookingStatus::Completed, 1),
        (BookingStatus::Confirmed, 2),
        (BookingStatus::NoShow, 1),
    ];
    assert_eq!(counts, expected, "the probe and the walk-in confirmed, one of each other");
    assert!(store.booking_status_counts("loc_other", START, START + 24 * HOUR).await.expect("none").is_empty());
}
