//! Process-level tests: each test runs the real `omnicanal` binary as separate processes
//! (several nodes on one database, SIGKILL mid-traffic, SIGTERM with a client connected,
//! hundreds of live streams) and talks to them over HTTP only.
//!
//! What each keeps true (issue #12):
//! - `crash`: SIGKILL mid-load, on SQLite and PostgreSQL: every order answered 201 is there
//!   after a restart, none is half-written (stock reserved for exactly the orders stored).
//! - `retry_after_crash`: SIGKILL during a burst of keyed orders: every request resent with its
//!   key gets its order or a fresh 201, never a 409, and no key is charged twice.
//! - `cluster`: two PostgreSQL nodes share one stock without overselling; one killed mid-load
//!   loses nothing accepted, and its cut-off requests resent to the other get their orders.
//! - `sse_load`: 500 open SSE streams leave `/healthz` under 10 ms.
//! - `shutdown`, `import`: SIGTERM with a client connected; the import command.
//! - `shop_sync_cli`: `omnicanal connections sync` imports a shop with a progress line.
//! - `catalog_nodes` (issue 20): a price change or a sold-out switch made on one node is used
//!   by the very next order on the other, though each prices from its own catalog snapshot.

mod common;

mod cluster;
mod crash;
mod import;
mod retry_after_crash;
mod shop_sync_cli;
mod shutdown;
mod sse_load;
// Bookings over two nodes (issue 19, bkavail).
mod booking_nodes;
// Catalog snapshots over two nodes (issue 20).
mod catalog_nodes;
