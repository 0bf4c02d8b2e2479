//! The support desk's use cases (issue 18): tickets, SLAs, the knowledge base and incidents,
//! one module each; the rules they apply live in `omnicanal_domain::support`.

pub mod alerts;
pub mod incidents;
