-- Projects, their items (tickets and tasks), item conversations, followers, and
-- conversations with organizations and projects.
--
-- Item lists are sorted newest first by id (ids ascend with creation). The Tickets
-- app's counts come from org_item_counts and project_item_counts, kept up to date by
-- triggers, so grouping a million items by organization reads one row per
-- (organization, status) instead of counting the items.

CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- lower-cased name: names are unique regardless of case
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    archived    BOOLEAN NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX projects_archived_name ON projects (archived, name_key, id);

-- A customer, or a whole organization (its future members included), follows a project.
CREATE TABLE project_followers (
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    customer_id     INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    organization_id INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL,
    CHECK ((customer_id IS NULL) <> (organization_id IS NULL))
);
CREATE UNIQUE INDEX project_followers_customer ON project_followers (project_id, customer_id) WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX project_followers_org ON project_followers (project_id, organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX project_followers_by_customer ON project_followers (customer_id);
CREATE INDEX project_followers_by_org ON project_followers (organization_id);

CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    item_type       TEXT    NOT NULL CHECK (item_type IN ('ticket', 'task')),
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL CHECK (status IN ('new', 'open', 'waiting', 'resolved', 'closed')),
    priority        TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id     INTEGER REFERENCES agents (id),
    requester_id    INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    -- the requester's organization when the item was created; open items follow
    -- their requester to a new organization, closed ones keep it
    organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    -- customer replies in the conversation (the UI warns a new requester)
    reply_count     BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
-- Filters (and the fallback grouping) read these; id last so "newest first" pages are index ranges.
CREATE INDEX items_org_status ON items (organization_id, status, id);
CREATE INDEX items_project_status ON items (project_id, status, id);
CREATE INDEX items_assignee_status ON items (assignee_id, status, id);
CREATE INDEX items_requester_status ON items (requester_id, status, id);

CREATE TABLE item_followers (
    item_id     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, customer_id)
);
CREATE INDEX item_followers_customer ON item_followers (customer_id);

-- An item's conversation: customer replies (emailed) and internal notes (agents only).
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('reply', 'note')),
    author_agent_id INTEGER REFERENCES agents (id),
    body            TEXT    NOT NULL,
    -- the emails a reply went to, one per line ('' for notes)
    recipients      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX messages_item ON messages (item_id, id);

-- Conversations an agent starts with an organization's members or a project's followers.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    subject         TEXT    NOT NULL,
    organization_id INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    project_id      INTEGER REFERENCES projects (id) ON DELETE CASCADE,
    created_by      INTEGER REFERENCES agents (id),
    created_at      BIGINT  NOT NULL,
    CHECK ((organization_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX conversations_org ON conversations (organization_id, id);
CREATE INDEX conversations_project ON conversations (project_id, id);

CREATE TABLE conversation_messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_agent_id INTEGER REFERENCES agents (id),
    body            TEXT    NOT NULL,
    -- outbox rows this message produced
    notified        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX conversation_messages_conversation ON conversation_messages (conversation_id, id);

-- What an outbox row is about.
ALTER TABLE outbox ADD COLUMN item_id INTEGER REFERENCES items (id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL;
CREATE INDEX outbox_item ON outbox (item_id);
CREATE INDEX outbox_conversation ON outbox (conversation_id);

-- Items per (organization, status) and per (project, status); organization 0 means none.
CREATE TABLE org_item_counts (
    organization_id INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    n               BIGINT  NOT NULL,
    PRIMARY KEY (organization_id, status)
) WITHOUT ROWID;
CREATE TABLE project_item_counts (
    project_id INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    n          BIGINT  NOT NULL,
    PRIMARY KEY (project_id, status)
) WITHOUT ROWID;

CREATE TRIGGER items_count_insert AFTER INSERT ON items
BEGIN
    INSERT INTO org_item_counts (organization_id, status, n) VALUES (COALESCE(NEW.organization_id, 0), NEW.status, 1)
        ON CONFLICT (organization_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO project_item_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER items_count_delete AFTER DELETE ON items
BEGIN
    UPDATE org_item_counts SET n = n - 1 WHERE organization_id = COALESCE(OLD.organization_id, 0) AND status = OLD.status;
    UPDATE project_item_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;
CREATE TRIGGER items_count_update_org AFTER UPDATE OF organization_id, status ON items
WHEN COALESCE(OLD.organization_id, 0) <> COALESCE(NEW.organization_id, 0) OR OLD.status <> NEW.status
BEGIN
    UPDATE org_item_counts SET n = n - 1 WHERE organization_id = COALESCE(OLD.organization_id, 0) AND status = OLD.status;
    INSERT INTO org_item_counts (organization_id, status, n) VALUES (COALESCE(NEW.organization_id, 0), NEW.status, 1)
        ON CONFLICT (organization_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER items_count_update_project AFTER UPDATE OF project_id, status ON items
WHEN OLD.project_id <> NEW.project_id OR OLD.status <> NEW.status
BEGIN
    UPDATE project_item_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
    INSERT INTO project_item_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;

-- A version number of everything the Tickets app's groups read (items, organization and
-- project names). Every write bumps it in the writing transaction, so a cached grouping
-- (group_cache.rs) is reused only while it is still true, on every server sharing the database.
CREATE TABLE work_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO work_version (id, version) VALUES (1, 0);
CREATE TRIGGER items_version_insert AFTER INSERT ON items
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
-- Only what filters and groups read: a reply (reply_count, updated_at) keeps the version.
CREATE TRIGGER items_version_update
AFTER UPDATE OF project_id, item_type, title, status, priority, assignee_id, requester_id, organization_id ON items
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER items_version_delete AFTER DELETE ON items
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER projects_work_version_insert AFTER INSERT ON projects
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER projects_work_version_update AFTER UPDATE ON projects
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_work_version_insert AFTER INSERT ON organizations
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_work_version_update AFTER UPDATE ON organizations
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_work_version_delete AFTER DELETE ON organizations
BEGIN UPDATE work_version SET version = version + 1 WHERE id = 1; END;
