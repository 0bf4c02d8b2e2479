//! A fake magento shop (to be filled from the published API docs).
