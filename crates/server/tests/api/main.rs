//! The HTTP integration suite, one test binary: each test starts the server on port 0 with a
//! fresh database (SQLite, or PostgreSQL when `OMNICANAL_TEST_DATABASE_URL` is set) and talks
//! to it over real HTTP. One binary links once, which keeps the suite fast to build.

mod common;

mod auth_isolation;
mod bad_input;
mod channels;
mod concurrency;
mod console;
mod console_pages;
mod constraints;
mod customer_app;
mod events;
mod harness;
mod idempotency;
mod imports;
mod journey;
mod login_throttle;
mod openapi;
mod payment_jobs;
mod posters;
mod pricing;
mod push;
mod stock_ops;
mod storefront;
mod webhook_admin;
mod webhooks;
