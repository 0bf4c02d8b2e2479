//! Bookings (issue 19): twenty concurrent bookings of one table and time give exactly one
//! booking and one `booking.created` (the claim on the grid cells decides, not a read); an
//! overlapping booking whose buffer reaches into another is refused too; a cancellation frees
//! the cells, announces itself once, and lets the time be booked again. A location's booking
//! rules read back as set.

use std::sync::Arc;

use omnicanal_domain::bookings::booking::{BookingAnnounced, BookingStatus, Occupancy};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::bookings::settings::BookingSettings;
use omnicanal_domain::events::{DomainEvent, EventType};
use omnicanal_store::{
    BookingInsert, BookingResourceRow, BookingRow, BookingSettingsRow, BookingStore, NewEvent, SqlStore, Store,
};

use crate::support::{Shop, T0};

/// On the 15-minute grid.
const START: i64 = T0 - T0 % 900_000 + 86_400_000;

fn booking(shop: &Shop, id: &str, resource_id: &str, start_ms: i64) -> (BookingRow, Vec<i64>, Vec<NewEvent>) {
    let held = Occupancy::new(start_ms, 90, 15);
    let row = BookingRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        resource_id: resource_id.into(),
        service_id: None,
        party_size: Some(2),
        start_ms,
        end_ms: start_ms + 90 * 60_000,
        blocked_until_ms: held.blocked_until_ms,
        status: BookingStatus::Confirmed,
        customer_name: "Camila".into(),
        customer_phone: None,
        customer_email: None,
        manage_token_hash: "hash".into(),
        created_ms: T0,
        cancelled_ms: None,
    };
    let event = NewEvent {
        event_id: format!("evt_{id}"),
        created_at_ms: T0,
        event: DomainEvent::BookingCreated(announced(&row)),
    };
    (row, held.cell_starts_ms(), vec![event])
}

fn announced(row: &BookingRow) -> BookingAnnounced {
    BookingAnnounced {
        booking_id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        location_id: row.location_id.clone(),
        resource_id: row.resource_id.clone(),
        service_id: None,
        party_size: row.party_size,
        start_at: row.start_ms,
        end_at: row.end_ms,
        status: row.status,
    }
}

pub async fn bookings_never_claim_one_table_twice(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let table = BookingResourceRow {
        id: "res_story".into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        kind: ResourceKind::Table,
        name: "Mesa 1".into(),
        seats_min: Some(1),
        seats_max: Some(4),
        created_ms: T0,
    };
    store.insert_booking_resource(&table).await.expect("a table");
    assert_eq!(store.get_booking_resource(&table.id).await.expect("read"), Some(table.clone()));

    let head = store.outbox_head().await.expect("head");
    let attempts: Vec<_> = (0..20)
        .map(|n| {
            let store = shared.clone();
            let (row, cells, events) = booking(&shop, &format!("bkg_{n}"), &table.id, START);
            tokio::spawn(async move { store.insert_booking(&row, &cells, &events).await.expect("insert") })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("a booking task"));
    }
    let booked = answers.iter().filter(|answer| **answer == BookingInsert::Booked).count();
    assert_eq!(booked, 1, "exactly one of twenty: {answers:?}");
    let announced = store.outbox_after(head, 50).await.expect("events");
    assert_eq!(announced.len(), 1, "announced once");
    assert_eq!(announced[0].event_type, EventType::BookingCreated);
    let winner = match announced[0].event() {
        Ok(DomainEvent::BookingCreated(event)) => event.booking_id,
        other => panic!("a booking.created, got {other:?}"),
    };

    // 90 minutes + 15 of buffer: a booking 1 h 30 later still meets the buffer, 1 h 45 does not.
    let (inside, cells, events) = booking(&shop, "bkg_buffer", &table.id, START + 90 * 60_000);
    assert_eq!(store.insert_booking(&inside, &cells, &events).await.expect("buffer"), BookingInsert::Taken);
    let (after, cells, events) = booking(&shop, "bkg_after", &table.id, START + 105 * 60_000);
    assert_eq!(store.insert_booking(&after, &cells, &events).await.expect("after"), BookingInsert::Booked);
    assert!(store.get_booking("bkg_buffer").await.expect("read").is_none(), "a refused booking leaves no row");

    let held = store
        .confirmed_bookings_between(std::slice::from_ref(&table.id), START, START + 86_400_000)
        .await
        .expect("held");
    assert_eq!(held.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), vec![winner.as_str(), "bkg_after"]);

    let head = store.outbox_head().await.expect("head");
    let cancelled_event = NewEvent {
        event_id: "evt_cancel".into(),
        created_at_ms: T0,
        event: DomainEvent::BookingCancelled(announced_cancel(store, &winner).await),
    };
    assert!(store.cancel_booking(&winner, T0 + 1, std::slice::from_ref(&cancelled_event)).await.expect("cancel"));
    assert!(!store.cancel_booking(&winner, T0 + 2, std::slice::from_ref(&cancelled_event)).await.expect("twice"));
    assert_eq!(store.outbox_after(head, 10).await.expect("events").len(), 1, "cancelled once");
    let read = store.get_booking(&winner).await.expect("read").expect("kept");
    assert_eq!((read.status, read.cancelled_ms), (BookingStatus::Cancelled, Some(T0 + 1)));

    let (again, cells, events) = booking(&shop, "bkg_again", &table.id, START);
    assert_eq!(store.insert_booking(&again, &cells, &events).await.expect("again"), BookingInsert::Booked);

    // A location's booking rules: none until set, then the last one set.
    assert_eq!(store.get_booking_settings(&shop.location.id).await.expect("none"), None);
    for (cancel_window_minutes, reminders) in [(60, vec![1_440, 120]), (30, vec![])] {
        let settings = BookingSettings::new(0, 30, cancel_window_minutes, 5, reminders).expect("valid");
        let row = BookingSettingsRow { location_id: shop.location.id.clone(), settings, updated_ms: T0 };
        store.put_booking_settings(&row).await.expect("put");
        assert_eq!(store.get_booking_settings(&shop.location.id).await.expect("get"), Some(row));
    }
}

async fn announced_cancel(store: &dyn Store, id: &str) -> BookingAnnounced {
    let row = store.get_booking(id).await.expect("read").expect("found");
    announced(&BookingRow { status: BookingStatus::Cancelled, ..row })
}
