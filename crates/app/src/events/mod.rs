//! Events: reading the outbox for live streams and who may follow which stream.
