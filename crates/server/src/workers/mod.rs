//! Background workers: each keeps time and calls use cases.

// Shop connections: pushes, polls, orders in (issue 16).
pub mod connections;
pub mod dispatcher;
pub mod holds;
pub mod notifications;
pub mod payments;
pub mod pickup_expiry;
pub mod webhooks;
// The support desk's SLA watcher (issue 18 point 3).
pub mod support_sla;
// Incidents before anyone calls (issue 18 point 5).
pub mod support_alerts;
pub mod support_incidents;
// A booking's hold expires when its customer does not confirm it (issue 19 point 3).
pub mod booking_holds;
// Reminders before a booking (issue 19 point 4).
pub mod booking_reminders;
