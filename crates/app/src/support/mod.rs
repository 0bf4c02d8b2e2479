//! The support desk's use cases (issue 18): tickets, SLAs, the knowledge base and incidents,
//! each in its own module.

pub mod knowledge;
