-- Issue #17, points 2-3: the Tickets app's grouping by organization for one assignee
-- (or the unassigned items), with only statuses filtered on besides, is kept up to date
-- from the counters that changed, as the grouping of all items is (migration 0019),
-- instead of being recounted from the items after every write. Items per (assignee,
-- organization, status); 0 means unassigned or no organization. Each row carries the
-- work version after the write that last changed it (`stamp`, set by 0019's
-- `org_item_counts_stamp()`, which locks the work_version row until the commit), so a
-- server holding one assignee's grouping at version V reads that assignee's rows stamped
-- above V (an index) and applies them.

CREATE TABLE assignee_item_counts (
    assignee_id     BIGINT NOT NULL,
    organization_id BIGINT NOT NULL,
    status          TEXT   COLLATE "C" NOT NULL,
    n               BIGINT NOT NULL,
    stamp           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (assignee_id, organization_id, status)
);
CREATE INDEX assignee_item_counts_stamp ON assignee_item_counts (assignee_id, stamp);

INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n)
    SELECT COALESCE(assignee_id, 0), COALESCE(organization_id, 0), status, COUNT(*) FROM items GROUP BY 1, 2, 3;

CREATE TRIGGER assignee_item_counts_stamp BEFORE INSERT OR UPDATE OF n ON assignee_item_counts
    FOR EACH ROW EXECUTE FUNCTION org_item_counts_stamp();

CREATE FUNCTION assignee_item_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n)
        SELECT COALESCE(assignee_id, 0), COALESCE(organization_id, 0), status, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (assignee_id, organization_id, status) DO UPDATE SET n = assignee_item_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION assignee_item_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assignee_item_counts c SET n = c.n - d.k
        FROM (SELECT COALESCE(assignee_id, 0) AS a, COALESCE(organization_id, 0) AS org, status, COUNT(*) AS k
              FROM old_rows GROUP BY 1, 2, 3) d
        WHERE c.assignee_id = d.a AND c.organization_id = d.org AND c.status = d.status;
    RETURN NULL;
END $$;

-- Net change per key (new rows minus old rows), applied only where it is not zero, so a
-- reply (no counted column changed) touches no counter.
CREATE FUNCTION assignee_item_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n)
        SELECT a, org, status, SUM(k)::BIGINT FROM (
            SELECT COALESCE(assignee_id, 0) AS a, COALESCE(organization_id, 0) AS org, status, 1 AS k FROM new_rows
            UNION ALL
            SELECT COALESCE(assignee_id, 0), COALESCE(organization_id, 0), status, -1 FROM old_rows
        ) d GROUP BY 1, 2, 3 HAVING SUM(k) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (assignee_id, organization_id, status) DO UPDATE SET n = assignee_item_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER assignee_item_counts_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignee_item_counts_insert();
CREATE TRIGGER assignee_item_counts_delete AFTER DELETE ON items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignee_item_counts_delete();
CREATE TRIGGER assignee_item_counts_update AFTER UPDATE ON items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignee_item_counts_update();
