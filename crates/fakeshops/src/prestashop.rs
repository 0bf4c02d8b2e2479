//! A fake prestashop shop (to be filled from the published API docs).
