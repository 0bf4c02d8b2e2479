//! Availability that knows everything (issue 19 points 1–3), over HTTP on both databases:
//! tables joined within their group for a larger party (and every member held by the booking),
//! a stylist's working week and days off on top of the location's hours and holidays, who
//! performs a service, a location's booking rules and place, "nearest to me", and each bad
//! input — a party no combination seats, the hour Chile skips, a stylist who does not perform
//! the service, another merchant's resource — a clear 4xx with nothing booked.
//!
//! The clock is Tuesday 2026-12-08 08:00 in Santiago (UTC−3) and the fixture's locations open
//! every day 12:00–23:00, as in `bookings.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::bookings::{
    WEDNESDAY, appointment, assert_field, book, local_times, open_noon_to_eleven, party, put, resource, slots,
    spawn_on_tuesday_morning,
};
use crate::common::fixture::id_of;
use crate::common::{Body, Fixture, TestApp, assert_problem, qs};

/// The Thursday after.
const THURSDAY: &str = "2026-12-10";

async fn spawn() -> TestApp {
    spawn_on_tuesday_morning().await.0
}

/// A table seating up to `seats_max`, joinable with the others of `group` when there is one.
async fn table(
    app: &TestApp,
    token: &str,
    location_id: &str,
    name: &str,
    seats_max: i64,
    group: Option<&str>,
) -> String {
    let id = resource(app, token, location_id, json!({"kind": "table", "name": name, "seats_max": seats_max})).await;
    if let Some(group) = group {
        let details = put(app, &format!("/api/v1/resources/{id}/details"), token, json!({"combine_group": group}))
            .await
            .expect(StatusCode::OK, "a combinable group");
        assert_eq!(details["combine_group"], group, "{details}");
    }
    id
}

/// Local times of the slots, for one resource or all, a time offered by several once.
fn times(slots: &[Value], resource_id: Option<&str>) -> Vec<String> {
    let mut times = local_times(slots, resource_id);
    times.dedup();
    times
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_party_gets_joined_tables_and_the_booking_holds_every_member() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let place = fx.m(0);
    let manager = place.manager.token(&app).await;
    let location = place.location_id.as_str();
    let left = table(&app, &manager, location, "Terraza 1", 4, Some("terraza")).await;
    let right = table(&app, &manager, location, "Terraza 2", 4, Some("terraza")).await;
    let alone = table(&app, &manager, location, "Salón 1", 4, None).await;

    let listed = app.get(&format!("/api/v1/locations/{location}/resources"), None).await;
    let listed = listed.expect(StatusCode::OK, "resources");
    assert!(listed.as_array().is_some_and(|all| all.iter().any(|r| r["combine_group"] == "terraza")), "{listed}");

    let seven = slots(&app, location, &[("date", WEDNESDAY), ("party_size", "7")]).await;
    assert!(!seven.is_empty(), "a party of seven sits at the two terrace tables joined");
    let mut members: Vec<String> = seven[0]["resource_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    members.sort();
    let mut expected = vec![left.clone(), right.clone()];
    expected.sort();
    assert_eq!(members, expected, "{}", seven[0]);

    let made = book(&app, &party(location, "2026-12-09T20:00:00-03:00", 7)).await;
    let made = made.expect(StatusCode::CREATED, "seven at the joined tables");
    assert!(made["resource_id"] == left.as_str() || made["resource_id"] == right.as_str(), "{made}");

    // Both members are taken at 20:00: a couple gets the lone table, a second couple nothing.
    let two = slots(&app, location, &[("date", WEDNESDAY), ("party_size", "2")]).await;
    for member in [&left, &right] {
        let member_times = times(&two, Some(member));
        assert!(
            !member_times.contains(&"20:00".to_owned()),
            "{member} is held by the joined booking: {member_times:?}"
        );
    }
    assert!(times(&two, Some(&alone)).contains(&"20:00".to_owned()));
    book(&app, &party(location, "2026-12-09T20:00:00-03:00", 2)).await.expect(StatusCode::CREATED, "the lone table");
    let last = book(&app, &party(location, "2026-12-09T20:00:00-03:00", 2)).await;
    assert_problem(&last, StatusCode::CONFLICT, "every table is taken at 20:00, joined ones included");
    let mut named = party(location, "2026-12-09T20:30:00-03:00", 2);
    named["resource_id"] = json!(right);
    assert_problem(&book(&app, &named).await, StatusCode::CONFLICT, "a member of the joined booking");

    // A party larger than any combination: 422 naming party_size with the largest.
    let huge = book(&app, &party(location, "2026-12-09T13:00:00-03:00", 9)).await;
    assert_field(&huge, "party_size", "nine is more than the terrace joined seats");
    assert!(huge.body.to_string().contains("the largest seats 8"), "{}", huge.body);
    let query = format!("/api/v1/locations/{location}/availability?date={WEDNESDAY}&party_size=9");
    assert_field(&app.get(&query, None).await, "party_size", "availability for nine");

    // Cancelling the joined booking frees every member.
    let token = made["manage_token"].as_str().unwrap_or_default();
    let id = id_of(&made, "booking");
    app.post(&format!("/api/v1/bookings/{id}/cancel?{}", qs(&[("token", token)])), None, &json!({}))
        .await
        .expect(StatusCode::OK, "cancel");
    let freed = slots(&app, location, &[("date", WEDNESDAY), ("party_size", "2")]).await;
    assert!(times(&freed, Some(&right)).contains(&"20:00".to_owned()), "the member is free again");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stylists_week_days_off_holidays_and_performers_shape_the_slots() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let salon = fx.m(0);
    let manager = salon.manager.token(&app).await;
    let location = salon.location_id.as_str();
    let ana = resource(&app, &manager, location, json!({"kind": "staff", "name": "Ana"})).await;
    let bea = resource(&app, &manager, location, json!({"kind": "staff", "name": "Bea"})).await;
    // Ana works Wednesdays 10:00–16:00 (the salon opens at 12:00) and Thursdays 18:00–21:00.
    let week = json!({"working_hours": {"3": [["10:00", "16:00"]], "4": [["18:00", "21:00"]]}, "zone": "Sillón 1"});
    let set = put(&app, &format!("/api/v1/resources/{ana}/details"), &manager, week).await;
    let set = set.expect(StatusCode::OK, "Ana's week");
    assert_eq!(set["working_hours"]["3"][0][0], "10:00", "{set}");
    let service = app
        .post(
            "/api/v1/services",
            Some(&manager),
            &json!({"merchant_id": salon.id, "name": "Corte", "duration_minutes": 60}),
        )
        .await
        .expect(StatusCode::CREATED, "a service");
    let service_id = id_of(&service, "service");

    // Only Ana performs it.
    let performers =
        put(&app, &format!("/api/v1/services/{service_id}/performers"), &manager, json!({"resource_ids": [ana]}))
            .await
            .expect(StatusCode::OK, "performers");
    assert_eq!(performers["performer_ids"], json!([ana]), "{performers}");
    let listed = app.get(&format!("/api/v1/services?merchant_id={}", salon.id), None).await;
    let listed = listed.expect(StatusCode::OK, "the merchant's services");
    assert_eq!(listed[0]["performer_ids"], json!([ana]), "{listed}");
    app.get(&format!("/api/v1/services/{service_id}"), None).await.expect(StatusCode::OK, "one service");

    let wednesday = slots(&app, location, &[("date", WEDNESDAY), ("service_id", &service_id)]).await;
    assert!(wednesday.iter().all(|slot| slot["resource_id"] == ana.as_str()), "only Ana performs it");
    let wednesday = times(&wednesday, None);
    assert_eq!(wednesday.first().map(String::as_str), Some("12:00"), "the salon opens at 12:00: {wednesday:?}");
    assert_eq!(wednesday.last().map(String::as_str), Some("15:00"), "Ana stops at 16:00: {wednesday:?}");
    let thursday = times(&slots(&app, location, &[("date", THURSDAY), ("service_id", &service_id)]).await, None);
    assert_eq!((thursday.first(), thursday.last()), (Some(&"18:00".to_owned()), Some(&"20:00".to_owned())));

    let mut with_bea = appointment(location, "2026-12-09T13:00:00-03:00", &service_id);
    with_bea["resource_id"] = json!(bea);
    assert_field(&book(&app, &with_bea).await, "resource_id", "Bea does not perform the service");
    let evening = appointment(location, "2026-12-09T17:00:00-03:00", &service_id);
    assert_field(&book(&app, &evening).await, "start_at", "Ana is not working at 17:00 on Wednesday");

    // Ana's day off on Thursday, then a holiday closing the salon on Wednesday.
    let exceptions = format!("/api/v1/locations/{location}/booking-exceptions");
    let day_off = json!({"date": THURSDAY, "kind": "day_off", "resource_id": ana});
    app.post(&exceptions, Some(&manager), &day_off).await.expect(StatusCode::CREATED, "a day off");
    assert!(slots(&app, location, &[("date", THURSDAY), ("service_id", &service_id)]).await.is_empty());
    let holiday = app.post(&exceptions, Some(&manager), &json!({"date": WEDNESDAY, "kind": "holiday"})).await;
    let holiday = holiday.expect(StatusCode::CREATED, "a holiday");
    assert!(slots(&app, location, &[("date", WEDNESDAY), ("service_id", &service_id)]).await.is_empty());
    let closed = book(&app, &appointment(location, "2026-12-09T13:00:00-03:00", &service_id)).await;
    assert_field(&closed, "start_at", "the salon is closed on its holiday");
    let list = app.get(&format!("{exceptions}?from={WEDNESDAY}&to={THURSDAY}"), Some(&manager)).await;
    assert_eq!(list.expect(StatusCode::OK, "exceptions").as_array().map(Vec::len), Some(2));
    let holiday_id = id_of(&holiday, "exception");
    app.send(Method::DELETE, &format!("{exceptions}/{holiday_id}"), Some(&manager), Body::None, &[])
        .await
        .expect(StatusCode::NO_CONTENT, "the holiday removed");
    book(&app, &appointment(location, "2026-12-09T13:00:00-03:00", &service_id))
        .await
        .expect(StatusCode::CREATED, "open again");

    // Special hours for the whole location on Thursday: 09:00–11:00 only.
    let special = json!({"date": THURSDAY, "kind": "location_hours", "hours": [["09:00", "11:00"]]});
    app.post(&exceptions, Some(&manager), &special).await.expect(StatusCode::CREATED, "special hours");
    let bad_kind = app.post(&exceptions, Some(&manager), &json!({"date": THURSDAY, "kind": "siesta"})).await;
    assert_field(&bad_kind, "kind", "an unknown kind");
    let no_hours = app.post(&exceptions, Some(&manager), &json!({"date": THURSDAY, "kind": "special_hours"})).await;
    assert_field(&no_hours, "hours", "special hours without hours");
    let bad_week = put(
        &app,
        &format!("/api/v1/resources/{ana}/details"),
        &manager,
        json!({"working_hours": {"9": [["10:00", "11:00"]]}}),
    )
    .await;
    assert_field(&bad_week, "working_hours.9", "a ninth weekday");
    let staff_group =
        put(&app, &format!("/api/v1/resources/{ana}/details"), &manager, json!({"combine_group": "x"})).await;
    assert_field(&staff_group, "combine_group", "a stylist is not joined");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_places_and_nearest_and_another_merchants_things_are_not_found() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let burger_manager = burger.manager.token(&app).await;
    let sushi_manager = sushi.manager.token(&app).await;
    let burger_table = table(&app, &burger_manager, &burger.location_id, "Mesa 1", 4, None).await;
    let sushi_table = table(&app, &sushi_manager, &sushi.location_id, "Barra", 4, None).await;

    // Booking rules: defaults, set, refused, another merchant's.
    let rules = format!("/api/v1/locations/{}/booking-settings", burger.location_id);
    let defaults = app.get(&rules, None).await.expect(StatusCode::OK, "default rules");
    assert_eq!(defaults["max_days_ahead"], 60, "{defaults}");
    let body = json!({"min_notice_minutes": 120, "max_days_ahead": 14, "cancel_window_minutes": 60,
                      "hold_minutes": 10, "reminder_offsets_minutes": [1440, 120]});
    put(&app, &rules, &burger_manager, body.clone()).await.expect(StatusCode::OK, "rules set");
    assert_eq!(app.get(&rules, None).await.expect(StatusCode::OK, "rules")["min_notice_minutes"], 120);
    let mut bad = body.clone();
    bad["max_days_ahead"] = json!(0);
    assert_field(&put(&app, &rules, &burger_manager, bad).await, "max_days_ahead", "zero days ahead");
    assert_problem(&put(&app, &rules, &sushi_manager, body).await, StatusCode::NOT_FOUND, "another merchant's rules");
    let too_far = book(&app, &party(&burger.location_id, "2026-12-30T13:00:00-03:00", 2)).await;
    assert_field(&too_far, "start_at", "beyond the location's 14 days");

    // Places: Providencia and Maipú.
    let place = |location: &str| format!("/api/v1/locations/{location}/place");
    put(
        &app,
        &place(&burger.location_id),
        &burger_manager,
        json!({"latitude": -33.4263, "longitude": -70.6200, "comuna": "Providencia"}),
    )
    .await
    .expect(StatusCode::OK, "burger's place");
    put(
        &app,
        &place(&sushi.location_id),
        &sushi_manager,
        json!({"latitude": -33.5107, "longitude": -70.7573, "comuna": "Maipú"}),
    )
    .await
    .expect(StatusCode::OK, "sushi's place");
    let off_earth =
        put(&app, &place(&sushi.location_id), &sushi_manager, json!({"latitude": 91.0, "longitude": 0.0})).await;
    assert_field(&off_earth, "latitude", "latitude 91");
    let foreign =
        put(&app, &place(&sushi.location_id), &burger_manager, json!({"latitude": 0.0, "longitude": 0.0})).await;
    assert_problem(&foreign, StatusCode::NOT_FOUND, "another merchant's place");

    // Nearest to Los Leones (Providencia): the burger first, then the sushi in Maipú.
    let near = app
        .get(&format!("/api/v1/bookings/nearest?date={WEDNESDAY}&party_size=2&lat=-33.4221&lon=-70.6094"), None)
        .await;
    let near = near.expect(StatusCode::OK, "nearest");
    let order: Vec<&str> = near.as_array().into_iter().flatten().filter_map(|n| n["location_id"].as_str()).collect();
    assert_eq!(order, vec![burger.location_id.as_str(), sushi.location_id.as_str()], "{near}");
    assert!(near[0]["distance_m"].as_u64().is_some_and(|m| m < 2_000), "{near}");
    assert!(near[1]["slots"].as_array().is_some_and(|slots| !slots.is_empty()), "{near}");
    let by_comuna =
        app.get(&format!("/api/v1/bookings/nearest?date={WEDNESDAY}&party_size=2&comuna=maip%C3%BA"), None).await;
    let by_comuna = by_comuna.expect(StatusCode::OK, "by comuna");
    assert_eq!(by_comuna.as_array().map(Vec::len), Some(1), "{by_comuna}");
    assert_eq!(by_comuna[0]["location_id"], sushi.location_id.as_str());
    let nowhere = app.get(&format!("/api/v1/bookings/nearest?date={WEDNESDAY}&party_size=2"), None).await;
    assert_field(&nowhere, "lat", "neither a position nor a comuna");

    // Another merchant's resource or service: 404.
    let sushi_service = app
        .post(
            "/api/v1/services",
            Some(&sushi_manager),
            &json!({"merchant_id": sushi.id, "name": "Omakase", "duration_minutes": 60}),
        )
        .await
        .expect(StatusCode::CREATED, "sushi's service");
    let sushi_service_id = id_of(&sushi_service, "service");
    let performers = format!("/api/v1/services/{sushi_service_id}/performers");
    assert_problem(
        &put(&app, &performers, &burger_manager, json!({"resource_ids": []})).await,
        StatusCode::NOT_FOUND,
        "another merchant's service",
    );
    let burger_staff =
        resource(&app, &burger_manager, &burger.location_id, json!({"kind": "staff", "name": "Ana"})).await;
    let stolen = put(&app, &performers, &sushi_manager, json!({"resource_ids": [burger_staff]})).await;
    assert_problem(&stolen, StatusCode::NOT_FOUND, "another merchant's stylist");
    let table_performs = put(&app, &performers, &sushi_manager, json!({"resource_ids": [sushi_table]})).await;
    assert_field(&table_performs, "resource_ids", "a table performs no service");
    let details = put(&app, &format!("/api/v1/resources/{sushi_table}/details"), &burger_manager, json!({})).await;
    assert_problem(&details, StatusCode::NOT_FOUND, "another merchant's table");
    let mut elsewhere = party(&burger.location_id, "2026-12-09T20:00:00-03:00", 2);
    elsewhere["resource_id"] = json!(sushi_table);
    assert_problem(&book(&app, &elsewhere).await, StatusCode::NOT_FOUND, "a table of another merchant");
    let free = slots(&app, &burger.location_id, &[("date", WEDNESDAY), ("party_size", "2")]).await;
    assert!(times(&free, Some(&burger_table)).contains(&"20:00".to_owned()), "nothing was booked");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_start_whose_offset_is_not_the_sites_is_refused_naming_start_at() {
    let app = spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    open_noon_to_eleven(&app, &fx).await;
    let place = fx.m(0);
    let manager = place.manager.token(&app).await;
    let location = place.location_id.as_str();
    table(&app, &manager, location, "Mesa 1", 4, None).await;

    // 00:30 on 2026-09-06 never happens in Santiago: the clock jumps from 00:00 to 01:00.
    let skipped = book(&app, &party(location, "2026-09-06T00:30:00-04:00", 2)).await;
    assert_field(&skipped, "start_at", "the hour Chile skips");
    assert!(skipped.body.to_string().contains("does not exist"), "{}", skipped.body);
    // Another zone's offset for a time Santiago shows differently.
    let madrid = book(&app, &party(location, "2026-12-10T00:00:00+01:00", 2)).await;
    assert_field(&madrid, "start_at", "Madrid's offset for a Santiago booking");
    // The same instant in UTC, or with Santiago's offset, is fine.
    book(&app, &party(location, "2026-12-09T23:00:00Z", 2))
        .await
        .expect(StatusCode::CREATED, "20:00 in Santiago, in UTC");
    let free = slots(&app, location, &[("date", WEDNESDAY), ("party_size", "2")]).await;
    assert!(!times(&free, None).contains(&"20:00".to_owned()), "only the valid booking was made");
    app.stop().await;
}
