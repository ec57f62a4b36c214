-- Issue #17, point 3: the Tickets app's grouping by organization is kept up to date
-- from the counters that changed instead of being recomputed after every write.
-- Each per-(organization, status) counter row carries the work version after the write
-- that last changed it (`stamp`, above every version visible before that write
-- commits), so a server holding the grouping at version V reads the rows stamped
-- above V (an index) and applies their new counts. The organizations' names and
-- order have their own version: a rename, a new or deleted organization rebuilds it.

ALTER TABLE org_item_counts ADD COLUMN stamp BIGINT NOT NULL DEFAULT 0;
CREATE INDEX org_item_counts_stamp ON org_item_counts (stamp);

CREATE TRIGGER org_item_counts_stamp_insert AFTER INSERT ON org_item_counts
BEGIN
    UPDATE org_item_counts SET stamp = (SELECT version FROM work_version WHERE id = 1) + 1
        WHERE organization_id = NEW.organization_id AND status = NEW.status;
END;
CREATE TRIGGER org_item_counts_stamp_update AFTER UPDATE OF n ON org_item_counts
BEGIN
    UPDATE org_item_counts SET stamp = (SELECT version FROM work_version WHERE id = 1) + 1
        WHERE organization_id = NEW.organization_id AND status = NEW.status;
END;

CREATE TABLE org_names_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO org_names_version (id, version) VALUES (1, 0);
CREATE TRIGGER organizations_names_version_insert AFTER INSERT ON organizations
BEGIN UPDATE org_names_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_names_version_update AFTER UPDATE OF name, name_key ON organizations
BEGIN UPDATE org_names_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_names_version_delete AFTER DELETE ON organizations
BEGIN UPDATE org_names_version SET version = version + 1 WHERE id = 1; END;
