//! The HTTP integration suite, one test binary: each test starts the server on port 0 with a
//! fresh database (SQLite, or PostgreSQL when `OMNICANAL_TEST_DATABASE_URL` is set) and talks
//! to it over real HTTP. One binary links once, which keeps the suite fast to build.

#![allow(
    clippy::disallowed_methods,
    reason = "black-box tests set windows and pickup times by the wall clock the server also reads, \
              unless they start it on a manual clock, which they then move themselves"
)]

mod common;

mod audit_log;
mod auth_isolation;
mod bad_input;
mod catalog_admin;
mod catalogue_console;
mod channels;
mod click_collect;
mod concurrency;
mod connection_pages;
mod connections;
mod console;
mod console_pages;
mod console_setup;
mod constraints;
mod credit;
mod customer_account_returns;
mod customer_accounts;
mod customer_app;
mod dashboard;
mod documents;
mod endless_aisle;
mod events;
mod exchanges;
mod harness;
mod idempotency;
mod imports;
mod journey;
mod login_throttle;
mod menu_details;
mod openapi;
mod order_credit;
mod pages_offline;
mod payment_jobs;
mod phone_orders;
mod pickup_changes;
mod pos;
mod pos_accounting;
mod pos_details;
mod pos_pickups;
mod pos_print;
mod pos_propagation;
mod posters;
mod pricing;
mod pricing_pages;
mod product_photos;
mod push;
mod returns;
mod setup_edit;
mod stock_conflicts;
mod stock_ops;
mod stock_pages;
mod storefront;
mod support_incidents;
mod support_knowledge;
mod support_sla;
mod support_tickets;
// The agents' console and the desk's macros (issue 18 points 1-4).
mod bookings;
// A booking's life: holds, the cancellation window, reschedule and move, .ics (issue 19 point 3).
mod booking_life;
mod support_desk;
mod support_till_help;
// Incidents and the deflection share in the desk's reports; the incidents page (issue 18 points 4-6).
mod support_report_incidents;
// The on-call rota and agents' pushes (issue 18 point 3).
mod support_on_call;
mod till_catalog;
mod user_invitations;
mod webhook_admin;
mod webhook_outbound;
mod webhook_secrets;
mod webhooks;
mod webshop;
// Availability, setup and nearest for bookings (issue 19, bkavail).
mod booking_availability;
// The staff's schedule: listing, status moves, no-shows, walk-ins, stats (issue 19 point 5).
mod booking_staff;
// Reminders before a booking (issue 19 point 4).
mod booking_reminders;
// The customer's booking pages (issue 19 point 5).
mod booking_pages;
// A service's buffer before, and walk-ins outside the hours (issue 19 points 1 and 5).
mod booking_buffers;
// Deposits on bookings: required, declined, refunded, kept, voided (issue 19 point 3).
mod booking_deposits;
// The deposit told before booking: the public service reads and the quote (issue 19 point 3).
mod booking_deposit_quote;
// Reminders by e-mail at a local SMTP sink, and no manage token at rest (issue 19 point 4).
mod booking_email;
