-- Issue #17, point 3: the Tickets app's grouping by organization is kept up to date
-- from the counters that changed instead of being recomputed after every write.
-- Each per-(organization, status) counter row carries the work version after the write
-- that last changed it (`stamp`): the trigger locks the work_version row (held until
-- the commit, which then carries a version >= the stamp), so every version visible
-- before that write commits is below the stamp, and a server holding the grouping at
-- version V reads the rows stamped above V (an index) and applies their new counts.
-- The organizations' names and order have their own version: a rename, a new or
-- deleted organization rebuilds it.

ALTER TABLE org_item_counts ADD COLUMN stamp BIGINT NOT NULL DEFAULT 0;
CREATE INDEX org_item_counts_stamp ON org_item_counts (stamp);

CREATE FUNCTION org_item_counts_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT version + 1 INTO NEW.stamp FROM work_version WHERE id = 1 FOR UPDATE;
    RETURN NEW;
END $$;
CREATE TRIGGER org_item_counts_stamp BEFORE INSERT OR UPDATE OF n ON org_item_counts
    FOR EACH ROW EXECUTE FUNCTION org_item_counts_stamp();

CREATE TABLE org_names_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO org_names_version (id, version) VALUES (1, 0);
CREATE FUNCTION bump_org_names_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_names_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_names_version AFTER INSERT OR DELETE OR UPDATE OF name, name_key ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_org_names_version();

-- Issue #17, point 2: a search in item titles (`q`, `LOWER(title) LIKE '%...%'`) is
-- answered by a trigram index (pg_trgm, created by migration 0013) instead of reading
-- a million titles.
CREATE INDEX items_title_trgm ON items USING gin (LOWER(title) gin_trgm_ops);

-- Groupings with one assignee (a filter the counters do not cover) count the items
-- from this index alone instead of reading each matching item's row for its organization.
CREATE INDEX items_assignee_status_org ON items (assignee_id, status, organization_id);
