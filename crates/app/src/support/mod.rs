//! The support desk's use cases (issue 18): tickets, SLAs in store time, the knowledge base and
//! incidents, each in its own module.

pub mod sla;
pub mod sla_admin;
#[cfg(test)]
mod sla_tests;
