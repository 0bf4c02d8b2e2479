//! The catalogue: products, their variants and modifier groups, and the menu a channel shows.
