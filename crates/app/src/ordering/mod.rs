//! Ordering: placing an order, reading it, and what a customer may order now (storefront state, pickup slots, availability).
