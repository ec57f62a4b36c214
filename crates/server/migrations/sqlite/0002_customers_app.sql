-- The Customers app: search and sort keys, invitations and the outbox of outgoing mail.

ALTER TABLE customers ADD COLUMN first_key TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN last_key TEXT NOT NULL DEFAULT '';
-- lower-cased "first last" (or the email when there is no name): the list's sort order
ALTER TABLE customers ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
UPDATE customers SET first_key = lower(first_name), last_key = lower(last_name),
    sort_name = CASE WHEN trim(first_name || ' ' || last_name) = '' THEN email
                     ELSE lower(trim(first_name || ' ' || last_name)) END;
CREATE INDEX customers_sort ON customers (sort_name, id);
CREATE INDEX customers_first_key ON customers (first_key);
CREATE INDEX customers_last_key ON customers (last_key);
CREATE INDEX organizations_name_key ON organizations (name_key, id);

-- One-time invitation tokens (only their SHA-256 is stored).
CREATE TABLE invitations (
    token_hash  TEXT    PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE INDEX invitations_customer ON invitations (customer_id);

-- Every customer-facing email is a row here first; a worker delivers it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    customer_id     INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at, id);
