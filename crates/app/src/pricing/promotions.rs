//! Promotions: a merchant's or a site's discounts, with their windows, channels and limits.
