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

-- Issue #17, point 2: a search in item titles (`q`) takes the ids an FTS5 trigram index
-- finds (3 characters or more, regardless of case) and checks the same LIKE on each of
-- them as before, so it finds the same items without reading a million titles.
CREATE VIRTUAL TABLE items_search USING fts5(title, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO items_search (rowid, title) SELECT id, title FROM items;
CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER items_search_update AFTER UPDATE OF title ON items BEGIN
    DELETE FROM items_search WHERE rowid = old.id;
    INSERT INTO items_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_search WHERE rowid = old.id;
END;

-- Groupings with one assignee (a filter the counters do not cover) count the items
-- from this index alone instead of reading each matching item's row for its organization.
CREATE INDEX items_assignee_status_org ON items (assignee_id, status, organization_id);
