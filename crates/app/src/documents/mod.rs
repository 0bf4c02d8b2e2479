//! Receipts and tax documents: what a part's or an order's document shows, for its readers.
