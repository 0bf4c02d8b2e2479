//! Process-level tests: each test runs the real `omnicanal` binary as separate processes
//! (several nodes on one database, SIGKILL mid-traffic, SIGTERM with a client connected)
//! and talks to them over HTTP only.

mod common;

mod cluster;
mod crash;
mod import;
mod shutdown;
