//! The merchant console: the live queue, sold-out switches, order search, takings and settlement.
