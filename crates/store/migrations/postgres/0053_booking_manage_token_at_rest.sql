-- Booking manage tokens are no longer kept in plain text (issue 19, the reminders' security
-- fix). Until now a customer who subscribed to reminders left a copy of the booking's manage
-- token in booking_reminder_preferences.manage_token, and each SMS, e-mail or push delivery kept
-- its manage link, token included, in booking_reminder_jobs.payload_json. From now on a manage
-- token is derived from the booking's id under the server's key and derived again when a
-- reminder goes out (crates/app/src/bookings/manage_token.rs), so neither is stored.
--
-- The copies are erased. The column stays (nothing writes it any more) so that a node still
-- running the previous build reads NULL instead of failing. What happens to bookings made before:
-- their tokens were random and cannot be derived, so their remaining reminders carry the manage
-- link without the token (the customer keeps the link of their confirmation, which still works);
-- the deliveries still pending keep their payload, token included, until they go out or give up
-- at the booking's start — at most a week — and the finished ones lose theirs now.
UPDATE booking_reminder_preferences SET manage_token = NULL WHERE manage_token IS NOT NULL;
UPDATE booking_reminder_jobs SET payload_json = '{}' WHERE state <> 'pending';
