//! Setup: sites, merchants, locations and their storefront settings, who may print a site's QR
//! posters, and seeding the demo data set.

pub mod demo;
pub mod locations;
pub mod merchants;
pub mod posters;
pub mod sites;
pub mod storefront;
