-- Routing rules: automation for what an organization's customers submit. A rule
-- belongs to one organization (include_children: its whole subtree too), or targets
-- every organization whose custom property has a value (property_id, target_value).
-- What a rule checks and does is JSON (orgdesk_core::api::routing::RuleDefinition,
-- with its format number). property_id has no foreign key on purpose: a deleted
-- property leaves its rules in place, shown as broken and skipped, never silently gone.
--
-- item_history says what happened to an item and why ("Routing rule 'ACME tasks'
-- moved this ticket to project Tasks for ACME Inc."); items.source says where an
-- item was created (rules can test it).

CREATE TABLE routing_rules (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    property_id      BIGINT,
    target_value     TEXT,
    name             TEXT    NOT NULL,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    include_children BOOLEAN NOT NULL DEFAULT FALSE,
    position         BIGINT  NOT NULL,
    version          BIGINT  NOT NULL DEFAULT 1,
    definition       TEXT    NOT NULL,
    created_by       INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    CHECK ((organization_id IS NULL) <> (property_id IS NULL)),
    CHECK ((property_id IS NULL) = (target_value IS NULL))
);
-- An organization's rules in order; inherited rules are read for the ancestors' ids.
CREATE INDEX routing_rules_org ON routing_rules (organization_id, position, id);
-- Property-targeted rules in order.
CREATE INDEX routing_rules_property ON routing_rules (property_id, position, id);

CREATE TABLE item_history (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    -- the rule that did it; its name is kept for when the rule is deleted or renamed
    rule_id    INTEGER REFERENCES routing_rules (id) ON DELETE SET NULL,
    rule_name  TEXT,
    agent_id   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    action     TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX item_history_item ON item_history (item_id, id);
CREATE INDEX item_history_rule ON item_history (rule_id);

ALTER TABLE items ADD COLUMN source TEXT NOT NULL DEFAULT 'agent' CHECK (source IN ('agent', 'portal'));
