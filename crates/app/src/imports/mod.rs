//! CSV imports of stock counts and products, with progress.
