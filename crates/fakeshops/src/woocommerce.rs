//! A fake woocommerce shop (to be filled from the published API docs).
