//! Fulfilment: each location's part of an order moving through its states, and lapsed holds.
