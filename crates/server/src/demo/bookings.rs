//! The demo's bookings (issue 19): tables at three of the Santiago food court's restaurants
//! (for 2, 4 and 6), stylists and a manicure room at the retailer's two stores with three
//! services priced in CLP, and a few bookings today and tomorrow — so `/s/{site}/reservar`,
//! `/shop/andina-outdoor/agenda` and the manage link can be tried with `serve --demo`.
//!
//! Two of each restaurant's 4-seat tables may be joined (a party of eight), and the stores have
//! coordinates and a comuna for "cerca de mí".
//!
//! Everything goes through the ordinary use cases (`create_booking_resource`,
//! `create_booking_service`, `book`), so the demo holds nothing the API would refuse. A
//! booking whose time has already passed today (the demo starts at any hour) is skipped.

use chrono::{Days, NaiveTime, TimeZone};
use chrono_tz::Tz;
use omnicanal_app::bookings::command::{BookingFields, LocationPlace, ResourceDetails};
use omnicanal_app::bookings::{BookingRequest, NewResource, NewService};
use omnicanal_app::{App, AppError, AppResult, Caller};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::{Currency, Money};

use super::menus::SANTIAGO;

/// The food court whose restaurants take table bookings, and which of them do.
const FOOD_COURT: &str = "Costanera Food Hall";
const TABLE_RESTAURANTS: [&str; 3] = ["napoli", "nikkei", "fuente"];

/// Each of those restaurants' tables: (name, fewest, most people).
const TABLES: [(&str, i64, i64); 6] = [
    ("Mesa 1 (ventana)", 1, 2),
    ("Mesa 2", 1, 2),
    ("Mesa 3", 2, 4),
    ("Mesa 4", 2, 4),
    ("Mesa 5 (terraza)", 2, 4),
    ("Mesa 6 (familiar)", 4, 6),
];

/// Tables that may be joined for a larger party (one group per restaurant): Mesa 3 and Mesa 4
/// together seat eight.
const JOINABLE_TABLES: [&str; 2] = ["Mesa 3", "Mesa 4"];

/// Where the retailer's stores are, for "cerca de mí": (store, latitude, longitude, comuna).
const STORE_PLACES: [(&str, f64, f64, &str); 2] = [
    ("Andina Providencia", -33.4263, -70.6170, "Providencia"),
    ("Andina Las Condes", -33.4080, -70.5670, "Las Condes"),
];

/// The retailer's web shop and its stores' staff and rooms: (store, [(kind, name)]).
const RETAILER_SHOP: &str = "andina-outdoor";
const STORE_STAFF: [(&str, [(&str, &str); 3]); 2] = [
    ("Andina Providencia", [("staff", "Camila"), ("staff", "Javiera"), ("room", "Sala de manicure")]),
    ("Andina Las Condes", [("staff", "Valentina"), ("staff", "Tomás"), ("room", "Sala de manicure")]),
];

/// The services: (name, minutes, buffer minutes, price in CLP).
const SERVICES: [(&str, i64, i64, i64); 3] =
    [("Corte de pelo", 30, 10, 12_000), ("Color", 90, 15, 35_000), ("Manicure", 45, 5, 10_000)];

/// Bookings made: (days from today, local time, party size or service index, name, phone).
type DemoBooking = (u64, &'static str, Result<i64, usize>, &'static str, &'static str);
const TABLE_BOOKINGS: [DemoBooking; 4] = [
    (0, "20:00", Ok(4), "Francisca Rojas", "+56 9 8765 4321"),
    (0, "21:30", Ok(2), "Diego Muñoz", "+56 9 5555 0101"),
    (1, "13:30", Ok(6), "Familia Soto", "+56 9 7777 2323"),
    (1, "20:30", Ok(2), "Ignacia Pérez", "+56 9 6161 4040"),
];
const APPOINTMENTS: [DemoBooking; 3] = [
    (0, "18:00", Err(0), "Martina Vidal", "+56 9 4444 1212"),
    (1, "11:00", Err(2), "Carolina Fuentes", "+56 9 3131 5656"),
    (1, "16:00", Err(1), "Paula Reyes", "+56 9 2020 8080"),
];

/// Loads the tables, staff, services and bookings.
pub(super) async fn load(app: &App, operator: &Caller, sites: &[(String, String)]) -> AppResult<()> {
    if let Some((_, site_id)) = sites.iter().find(|(name, _)| name == FOOD_COURT) {
        load_tables(app, operator, site_id).await?;
    }
    load_appointments(app, operator).await
}

async fn load_tables(app: &App, operator: &Caller, site_id: &str) -> AppResult<()> {
    let menu = app.site_menu(site_id, &Channel::Qr, true).await?;
    let zone: Tz = menu.site.timezone.parse().unwrap_or(Tz::UTC);
    let names: Vec<&str> =
        SANTIAGO.iter().filter(|r| TABLE_RESTAURANTS.contains(&r.slug)).map(|restaurant| restaurant.name).collect();
    let mut restaurants = Vec::new();
    for entry in menu.locations.iter().filter(|entry| names.contains(&entry.location.name.as_str())) {
        for (name, fewest, most) in TABLES {
            let table = NewResource::parse("table", name, Some(fewest), Some(most))?;
            let table = app.create_booking_resource(operator, &entry.location.id, table).await?;
            if JOINABLE_TABLES.contains(&name) {
                let details = ResourceDetails::parse(Some("salón"), Some("centro"), None)?;
                app.set_resource_details(operator, &table.id, details).await?;
            }
        }
        restaurants.push(entry.location.id.clone());
    }
    for (index, booking) in TABLE_BOOKINGS.iter().enumerate() {
        if let Some(location_id) = restaurants.get(index % restaurants.len().max(1)) {
            book(app, zone, location_id, booking, &[]).await?;
        }
    }
    Ok(())
}

async fn load_appointments(app: &App, operator: &Caller) -> AppResult<()> {
    let shop = app.webshop(RETAILER_SHOP).await?;
    let mut services = Vec::new();
    for (name, minutes, buffer, price) in SERVICES {
        let service =
            NewService::parse(&shop.merchant.id, name, minutes, Some(buffer), Some(Money::new(price, Currency::Clp)))?;
        services.push(app.create_booking_service(operator, service).await?.id);
    }
    let mut stores = Vec::new();
    for (store, staff) in STORE_STAFF {
        let Some(entry) = shop.locations.iter().find(|entry| entry.location.name == store) else { continue };
        if let Some((_, latitude, longitude, comuna)) = STORE_PLACES.iter().find(|(name, ..)| *name == store) {
            let place = LocationPlace::parse(*latitude, *longitude, Some(comuna))?;
            app.set_location_place(operator, &entry.location.id, place).await?;
        }
        for (kind, name) in staff {
            app.create_booking_resource(operator, &entry.location.id, NewResource::parse(kind, name, None, None)?)
                .await?;
        }
        stores.push((entry.location.id.clone(), entry.site.timezone.parse::<Tz>().unwrap_or(Tz::UTC)));
    }
    for (index, booking) in APPOINTMENTS.iter().enumerate() {
        if let Some((location_id, zone)) = stores.get(index % stores.len().max(1)) {
            book(app, *zone, location_id, booking, &services).await?;
        }
    }
    // "Color" asks for a deposit (paid by card when booking; the sandbox approves
    // 4242424242424242), set after the demo's own bookings, which are made without a card.
    if let Some(color) = services.get(1) {
        app.set_service_deposit(operator, color, Some(Money::new(DEMO_COLOR_DEPOSIT_CLP, Currency::Clp))).await?;
    }
    Ok(())
}

/// The deposit the demo's "Color" service asks for, in CLP.
const DEMO_COLOR_DEPOSIT_CLP: i64 = 10_000;

/// Books one demo booking; a time already past (or too soon) today, or taken, is skipped.
async fn book(app: &App, zone: Tz, location_id: &str, booking: &DemoBooking, services: &[String]) -> AppResult<()> {
    let (days, time, what, name, phone) = *booking;
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(app.now_ms()).unwrap_or_default();
    let today = now.with_timezone(&zone).date_naive();
    let Some(day) = today.checked_add_days(Days::new(days)) else { return Ok(()) };
    let Ok(time) = NaiveTime::parse_from_str(time, "%H:%M") else { return Ok(()) };
    let Some(start) = zone.from_local_datetime(&day.and_time(time)).earliest() else { return Ok(()) };
    let (party_size, service_id) = match what {
        Ok(party) => (Some(party), None),
        Err(index) => (None, services.get(index).map(String::as_str)),
    };
    let request = BookingRequest::parse(BookingFields {
        location_id,
        start_at: &start.to_rfc3339(),
        party_size,
        service_id,
        resource_id: None,
        name,
        phone: Some(phone),
        email: None,
    })?;
    match app.book(request).await {
        Ok(_) | Err(AppError::Invalid(_) | AppError::BookingRefused { .. } | AppError::Conflict(_)) => Ok(()),
        Err(other) => Err(other),
    }
}
