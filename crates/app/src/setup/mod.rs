//! Setup: sites, merchants, locations and their storefront settings, and QR posters.
