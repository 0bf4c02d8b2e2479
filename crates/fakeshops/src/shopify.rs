//! A fake shopify shop (to be filled from the published API docs).
