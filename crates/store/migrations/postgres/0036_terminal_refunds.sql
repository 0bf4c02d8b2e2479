-- Refunds to the till's card terminal (issue 17 point 6): a card tender of a till sale was
-- charged on the till's terminal, not through the order payment provider, so only the terminal
-- can give it back. Such a refund is a payment job like any other (written with the return,
-- retried, handed to a person when it keeps failing) that names its payee.
ALTER TABLE payment_jobs ADD COLUMN payee TEXT NOT NULL DEFAULT 'provider' CHECK (payee IN ('provider', 'terminal'));
