//! Webhooks: endpoints, the fan-out of events into deliveries, signed attempts and their log.

#[cfg(test)]
pub(crate) mod test_store;
