-- The desk's reports (issue 18 points 4 and 6).
-- The deflection share counts tickets opened from the till or the console that no help session
-- led to: a NOT EXISTS over the sessions' ticket_id, once per ticket of the period.
CREATE INDEX support_help_sessions_ticket ON support_help_sessions(ticket_id);
-- The incidents page filters by store and by cause, newest first.
CREATE INDEX support_incidents_by_location ON support_incidents(location_id, opened_at_ms);
CREATE INDEX support_incidents_by_cause ON support_incidents(cause, opened_at_ms);
