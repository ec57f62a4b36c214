-- The customer profile (issue #15): each customer's history (created, organization
-- changes, invitations sent), a version that guards in-place edits of the profile,
-- and the custom customer properties admins define (the same rules as the
-- organization properties of 0007).

ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE customer_history (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    agent_id    INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    action      TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    -- JSON object
    details     TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX customer_history_customer ON customer_history (customer_id, id);

-- Every existing customer gets its "created" entry (who created them was not recorded).
INSERT INTO customer_history (customer_id, agent_id, action, summary, details, created_at)
    SELECT id, NULL, 'created', 'Created', '{"by":"unknown"}', created_at FROM customers;

CREATE TABLE customer_property_definitions (
    id         INTEGER PRIMARY KEY,
    label      TEXT    NOT NULL,
    -- lower-cased label: labels are unique regardless of case
    label_key  TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    required   BOOLEAN NOT NULL DEFAULT FALSE,
    -- JSON array of strings (single and multiple choice)
    options    TEXT    NOT NULL DEFAULT '[]',
    position   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX customer_property_definitions_position ON customer_property_definitions (position, id);

CREATE TABLE customer_property_values (
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    definition_id INTEGER NOT NULL REFERENCES customer_property_definitions (id) ON DELETE CASCADE,
    -- JSON, normalized by orgdesk_core::properties::validate_value
    value         TEXT    NOT NULL,
    PRIMARY KEY (customer_id, definition_id)
);
CREATE INDEX customer_property_values_definition ON customer_property_values (definition_id);
