//! Customer notifications: push subscriptions, and which notices are due to whom.
