//! Price lists: a merchant's prices by location, channel and time window.
