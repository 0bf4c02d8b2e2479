//! Coupons: codes that unlock a promotion, with overall and per-customer limits.
