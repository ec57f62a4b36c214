-- Issue #17, point 2: the pickers' customer search stays cached while customers move.
--
-- What a search matches and in which order depends only on text: customers' names and
-- emails, organizations' names (and whether one is deleted). `search_text_version` is
-- bumped by every write that can change that text, and only by those (a move does not),
-- so a result kept by it survives the moves.
--
-- What moves do change is who belongs to which organization: every change of a membership
-- stamps the organizations that gained or lost a member with the search version
-- (`customer_counts.version`, migration 0005) after a bump of its own, so the stamp is
-- above every version visible before the write commits. A result computed at version V
-- whose matches through organizations' names cover the organizations O is still exact
-- while no organization of O is stamped above V: one read of the (few) organizations
-- stamped since V, by this index.

CREATE TABLE search_text_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO search_text_version (id, version) VALUES (1, 0);

CREATE TRIGGER customers_text_version_insert AFTER INSERT ON customers
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_text_version_update
    AFTER UPDATE OF first_name, last_name, email, first_key, last_key, sort_name ON customers
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_text_version_delete AFTER DELETE ON customers
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_text_version_insert AFTER INSERT ON organizations
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_text_version_update AFTER UPDATE OF name, name_key, deleted_at ON organizations
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_text_version_delete AFTER DELETE ON organizations
BEGIN UPDATE search_text_version SET version = version + 1 WHERE id = 1; END;

CREATE TABLE organization_member_stamps (
    organization_id BIGINT PRIMARY KEY,
    stamp           BIGINT NOT NULL
);
CREATE INDEX organization_member_stamps_stamp ON organization_member_stamps (stamp);

CREATE TRIGGER memberships_member_stamp_insert AFTER INSERT ON memberships
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (NEW.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
CREATE TRIGGER memberships_member_stamp_update AFTER UPDATE OF organization_id ON memberships
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (OLD.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (NEW.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
CREATE TRIGGER memberships_member_stamp_delete AFTER DELETE ON memberships
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (OLD.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
