//! The stock ledger: movements, counts, transfers between locations, channel allocations.
