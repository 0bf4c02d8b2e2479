//! A booking's life after it is made (issue 19 point 3), on both databases: a held booking is
//! confirmed once; a lapsed hold is expired once however many sweepers race, frees its cells
//! and announces itself once; ten bookings racing to move onto one free time give exactly one
//! move, and a refused move keeps its old claims (a new booking there is still `Taken`).

use std::sync::Arc;

use omnicanal_domain::bookings::booking::{BookingAnnounced, BookingStatus, Occupancy};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::events::DomainEvent;
use omnicanal_store::{
    BookingClaim, BookingInsert, BookingLifeStore, BookingMove, BookingResourceRow, BookingRow, NewEvent, SqlStore,
    Store,
};

use crate::support::{Shop, T0};

/// On the 15-minute grid, a day ahead.
const START: i64 = T0 - T0 % 900_000 + 86_400_000;
const HOUR: i64 = 3_600_000;

fn row(shop: &Shop, id: &str, resource_id: &str, start_ms: i64, status: BookingStatus) -> BookingRow {
    BookingRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        resource_id: resource_id.into(),
        service_id: None,
        party_size: Some(2),
        start_ms,
        end_ms: start_ms + HOUR,
        blocked_until_ms: start_ms + HOUR,
        status,
        customer_name: "Camila".into(),
        customer_phone: None,
        customer_email: None,
        manage_token_hash: "hash".into(),
        created_ms: T0,
        cancelled_ms: None,
    }
}

fn cells(booking: &BookingRow) -> Vec<i64> {
    Occupancy::new(booking.start_ms, 60, 0).cell_starts_ms()
}

fn changed(booking: &BookingRow, n: &str) -> Vec<NewEvent> {
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

pub async fn a_bookings_hold_confirmation_expiry_and_moves_happen_once(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let table = BookingResourceRow {
        id: "res_life".into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        kind: ResourceKind::Table,
        name: "Mesa 1".into(),
        seats_min: Some(1),
        seats_max: Some(4),
        created_ms: T0,
    };
    store.insert_booking_resource(&table).await.expect("a table");

    // A hold confirmed before it lapses, once.
    let held = row(&shop, "bkg_held", &table.id, START, BookingStatus::Held);
    let inserted = store.insert_held_booking(&held, &cells(&held), T0 + 600_000, &[]).await.expect("hold");
    assert_eq!(inserted, BookingInsert::Booked);
    assert_eq!(store.booking_hold_expiry(&held.id).await.expect("expiry"), Some(T0 + 600_000));
    assert!(store.confirm_held_booking(&held.id, T0 + 1, &changed(&held, "c")).await.expect("confirm"));
    assert!(!store.confirm_held_booking(&held.id, T0 + 2, &changed(&held, "c2")).await.expect("twice"));
    assert_eq!(store.get_booking(&held.id).await.expect("read").map(|b| b.status), Some(BookingStatus::Confirmed));
    assert!(store.lapsed_held_bookings(T0 + 3_600_000, 10).await.expect("none lapsed").is_empty());

    // A hold that lapses: not confirmable, expired once by five racing sweepers, its cells freed.
    let lapsing = row(&shop, "bkg_lapsing", &table.id, START + 2 * HOUR, BookingStatus::Held);
    store.insert_held_booking(&lapsing, &cells(&lapsing), T0 + 600_000, &[]).await.expect("hold");
    assert!(!store.confirm_held_booking(&lapsing.id, T0 + 600_000, &[]).await.expect("lapsed"));
    let lapsed = store.lapsed_held_bookings(T0 + 600_000, 10).await.expect("lapsed");
    assert_eq!(lapsed.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), ["bkg_lapsing"]);
    let sweeps: Vec<_> = (0..5)
        .map(|n| {
            let store = shared.clone();
            let events = changed(&lapsing, &format!("x{n}"));
            tokio::spawn(async move { store.expire_held_booking("bkg_lapsing", T0 + 600_000, &events).await })
        })
        .collect();
    let mut expired = 0;
    for sweep in sweeps {
        expired += usize::from(sweep.await.expect("a sweep").expect("expire"));
    }
    assert_eq!(expired, 1, "one sweeper expires it");
    let again = row(&shop, "bkg_after_lapse", &table.id, START + 2 * HOUR, BookingStatus::Confirmed);
    assert_eq!(store.insert_booking(&again, &cells(&again), &[]).await.expect("freed"), BookingInsert::Booked);

    // Ten confirmed bookings race to move onto one free time: exactly one moves.
    let free_at = START + 6 * HOUR;
    let movers: Vec<BookingRow> = (0..10)
        .map(|n| row(&shop, &format!("bkg_mover_{n}"), &table.id, START + (8 + n) * HOUR, BookingStatus::Confirmed))
        .collect();
    for mover in &movers {
        assert_eq!(store.insert_booking(mover, &cells(mover), &[]).await.expect("mover"), BookingInsert::Booked);
    }
    let moves: Vec<_> = movers
        .iter()
        .map(|mover| {
            let store = shared.clone();
            let moved = BookingRow {
                start_ms: free_at,
                end_ms: free_at + HOUR,
                blocked_until_ms: free_at + HOUR,
                ..mover.clone()
            };
            let claims: Vec<BookingClaim> = cells(&moved).into_iter().map(|cell| (table.id.clone(), cell)).collect();
            let events = changed(&moved, "m");
            tokio::spawn(async move { store.move_booking(&moved, &claims, &events).await.expect("move") })
        })
        .collect();
    let mut answers = Vec::new();
    for answer in moves {
        answers.push(answer.await.expect("a move"));
    }
    assert_eq!(answers.iter().filter(|a| **a == BookingMove::Moved).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| **a == BookingMove::Taken).count(), 9, "{answers:?}");
    // The nine refused kept their old times: a new booking on any of them is still taken.
    for (mover, answer) in movers.iter().zip(&answers) {
        let stored = store.get_booking(&mover.id).await.expect("read").expect("kept");
        let probe = row(&shop, &format!("probe_{}", mover.id), &table.id, mover.start_ms, BookingStatus::Confirmed);
        let taken = store.insert_booking(&probe, &cells(&probe), &[]).await.expect("probe");
        if *answer == BookingMove::Moved {
            assert_eq!(stored.start_ms, free_at);
            assert_eq!(taken, BookingInsert::Booked, "the winner's old time was freed");
        } else {
            assert_eq!(stored.start_ms, mover.start_ms, "a refused move keeps the old time");
            assert_eq!(taken, BookingInsert::Taken, "and its claims");
        }
    }
    // A cancelled booking does not move.
    let cancelled = &movers[0];
    store.cancel_booking(&cancelled.id, T0, &[]).await.expect("cancel");
    let later = BookingRow {
        start_ms: START + 40 * HOUR,
        end_ms: START + 41 * HOUR,
        blocked_until_ms: START + 41 * HOUR,
        ..cancelled.clone()
    };
    let claims: Vec<BookingClaim> = cells(&later).into_iter().map(|cell| (table.id.clone(), cell)).collect();
    assert_eq!(store.move_booking(&later, &claims, &[]).await.expect("gone"), BookingMove::Gone);
}
