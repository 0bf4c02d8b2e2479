-- Tell every node when outbox events commit, so their SSE streams and webhooks react at
-- once instead of at their next poll. NOTIFY is transactional: it is delivered on commit,
-- and notifications with the same payload in one transaction are folded into one.
CREATE FUNCTION omnicanal_notify_outbox() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('omnicanal_outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION omnicanal_notify_outbox();
