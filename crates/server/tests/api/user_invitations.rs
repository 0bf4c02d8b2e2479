//! Users with roles (issue 15 point 1): an invitation link sets a first password once and
//! expires; deactivation ends a live session and refuses sign-in; a manager sees and changes
//! only its merchant's staff (another merchant's user is 404) and invites staff only.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{Fixture, TestApp, assert_validation_problem};
use omnicanal_app::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Invites a staff user of merchant `i`'s location as `token`; returns the body.
async fn invite_staff(app: &TestApp, fx: &Fixture, token: &str, i: usize, email: &str) -> Value {
    app.post(
        "/api/v1/users/invitations",
        Some(token),
        &json!({"email": email, "role": "staff", "merchant_id": fx.m(i).id, "location_id": fx.m(i).location_id}),
    )
    .await
    .expect(StatusCode::CREATED, "invite staff")
}

fn accept_path(invitation: &Value) -> String {
    format!("/api/v1/invitations/{}/accept", invitation["token"].as_str().expect("a token"))
}

#[tokio::test]
async fn an_invitation_sets_a_first_password_once_and_signs_in() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let invitation = invite_staff(&app, &fx, &admin, 0, "Nueva@Burger.test").await;
    assert_eq!(invitation["user"]["status"], "invited");
    assert_eq!(invitation["user"]["email"], "nueva@burger.test");
    let token = invitation["token"].as_str().unwrap();
    assert!(token.len() >= 32, "the token is unguessable: {token}");
    assert_eq!(invitation["invite_path"], format!("/console/invite/{token}"));

    // Before accepting, no password signs in.
    let refused = app.post("/api/v1/auth/login", None, &json!({"email": "nueva@burger.test", "password": ""})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let open = app.get(&format!("/api/v1/invitations/{token}"), None).await.expect(StatusCode::OK, "open invitation");
    assert_eq!(open["email"], "nueva@burger.test");
    let short = app.post(&accept_path(&invitation), None, &json!({"password": "short"})).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_validation_problem(&short, "a short first password");

    let signed_in = app
        .post(&accept_path(&invitation), None, &json!({"password": "primera-clave-1"}))
        .await
        .expect(StatusCode::OK, "accept");
    let session = signed_in["token"].as_str().unwrap();
    app.get("/api/v1/auth/me", Some(session)).await.expect(StatusCode::OK, "the new session works");
    app.login("nueva@burger.test", "primera-clave-1").await;

    let again = app.post(&accept_path(&invitation), None, &json!({"password": "otra-clave-22"})).await;
    again.expect_problem(StatusCode::CONFLICT, "a second use of the link");
    app.get(&format!("/api/v1/invitations/{token}"), None)
        .await
        .expect_problem(StatusCode::CONFLICT, "a used link shows as used");
    app.post("/api/v1/invitations/not-a-token/accept", None, &json!({"password": "primera-clave-1"}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "an unknown link");

    // The e-mail is taken from the invitation on: at the e-mail field.
    let taken = app
        .post(
            "/api/v1/users/invitations",
            Some(&admin),
            &json!({"email": "nueva@burger.test", "role": "support_agent"}),
        )
        .await
        .expect_problem(StatusCode::CONFLICT, "a taken e-mail");
    assert!(taken.to_string().contains("email"), "the problem names the e-mail field: {taken}");

    let listed = app.get("/api/v1/users?q=NUEVA&limit=5", Some(&admin)).await.expect(StatusCode::OK, "search");
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["status"], "active");
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let clock = Arc::new(ManualClock::starting_now());
    let services = omnicanal_server::Services { clock: clock.clone(), ..Default::default() };
    let app = TestApp::spawn_with_services(services).await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let invitation = invite_staff(&app, &fx, &admin, 0, "tarde@burger.test").await;
    clock.advance(Duration::from_secs(7 * 24 * 60 * 60 + 1));
    app.post(&accept_path(&invitation), None, &json!({"password": "primera-clave-1"}))
        .await
        .expect_problem(StatusCode::CONFLICT, "an expired link");
}

#[tokio::test]
async fn deactivation_ends_live_sessions_and_refuses_sign_in_until_reactivated() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let admin = app.admin_token().await;
    let staff = &fx.m(0).staff;
    let live = staff.token(&app).await;
    app.get("/api/v1/auth/me", Some(&live)).await.expect(StatusCode::OK, "live session");

    let manager = fx.m(0).manager.token(&app).await;
    let done = app
        .post(&format!("/api/v1/users/{}/deactivate", staff.id), Some(&manager), &json!({}))
        .await
        .expect(StatusCode::OK, "the manager deactivates its staff");
    assert_eq!(done["status"], "deactivated");
    app.get("/api/v1/auth/me", Some(&live)).await.expect_problem(StatusCode::UNAUTHORIZED, "the session ended");
    let refused =
        app.post("/api/v1/auth/login", None, &json!({"email": staff.email, "password": staff.password})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "a deactivated user cannot sign in");

    app.post(&format!("/api/v1/users/{}/reactivate", staff.id), Some(&admin), &json!({}))
        .await
        .expect(StatusCode::OK, "reactivate");
    app.login(&staff.email, &staff.password).await;

    let me = app.get("/api/v1/auth/me", Some(&admin)).await.expect(StatusCode::OK, "me");
    let own_id = me["id"].as_str().unwrap();
    app.post(&format!("/api/v1/users/{own_id}/deactivate"), Some(&admin), &json!({}))
        .await
        .expect_problem(StatusCode::CONFLICT, "nobody deactivates themselves");
}

#[tokio::test]
async fn a_manager_sees_only_its_merchants_users_and_invites_staff_only() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let other_staff = &fx.m(1).staff;

    let listed = app.get("/api/v1/users", Some(&manager)).await.expect(StatusCode::OK, "list");
    let emails: Vec<&str> = listed["items"].as_array().unwrap().iter().filter_map(|u| u["email"].as_str()).collect();
    assert_eq!(emails.len(), 2, "its manager and staff only: {emails:?}");
    assert!(!emails.contains(&other_staff.email.as_str()));

    app.post(&format!("/api/v1/users/{}/deactivate", other_staff.id), Some(&manager), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's user");
    app.post(&format!("/api/v1/users/{}/deactivate", fx.m(0).manager.id), Some(&manager), &json!({}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "a fellow manager");
    app.login(&other_staff.email, &other_staff.password).await;

    let admin_invite =
        app.post("/api/v1/users/invitations", Some(&manager), &json!({"email": "jefe@x.test", "role": "admin"})).await;
    assert_eq!(admin_invite.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", admin_invite.body);
    assert!(admin_invite.body.to_string().contains("role"));
    let elsewhere = app
        .post(
            "/api/v1/users/invitations",
            Some(&manager),
            &json!({"email": "x@x.test", "role": "staff", "merchant_id": fx.m(1).id, "location_id": fx.m(1).location_id}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY, "another merchant: {}", elsewhere.body);
    invite_staff(&app, &fx, &manager, 0, "cajera@burger.test").await;

    let staff = fx.m(0).staff.token(&app).await;
    app.get("/api/v1/users", Some(&staff)).await.expect_problem(StatusCode::FORBIDDEN, "staff lists no users");
}
