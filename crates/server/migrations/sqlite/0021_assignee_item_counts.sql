-- Issue #17, points 2-3: the Tickets app's grouping by organization for one assignee
-- (or the unassigned items), with only statuses filtered on besides, is kept up to date
-- from the counters that changed, as the grouping of all items is (migration 0019),
-- instead of being recounted from the items after every write. Items per (assignee,
-- organization, status); 0 means unassigned or no organization. Each row carries the
-- work version after the write that last changed it (`stamp`, above every version
-- visible before that write commits), so a server holding one assignee's grouping at
-- version V reads that assignee's rows stamped above V (an index) and applies them.

CREATE TABLE assignee_item_counts (
    assignee_id     INTEGER NOT NULL,
    organization_id INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    n               BIGINT  NOT NULL,
    stamp           BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (assignee_id, organization_id, status)
) WITHOUT ROWID;
CREATE INDEX assignee_item_counts_stamp ON assignee_item_counts (assignee_id, stamp);

INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n)
    SELECT COALESCE(assignee_id, 0), COALESCE(organization_id, 0), status, COUNT(*) FROM items GROUP BY 1, 2, 3;

CREATE TRIGGER assignee_item_counts_insert AFTER INSERT ON items
BEGIN
    INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n, stamp)
        VALUES (COALESCE(NEW.assignee_id, 0), COALESCE(NEW.organization_id, 0), NEW.status, 1,
                (SELECT version FROM work_version WHERE id = 1) + 1)
        ON CONFLICT (assignee_id, organization_id, status) DO UPDATE SET n = n + 1, stamp = excluded.stamp;
END;
CREATE TRIGGER assignee_item_counts_delete AFTER DELETE ON items
BEGIN
    UPDATE assignee_item_counts SET n = n - 1, stamp = (SELECT version FROM work_version WHERE id = 1) + 1
        WHERE assignee_id = COALESCE(OLD.assignee_id, 0) AND organization_id = COALESCE(OLD.organization_id, 0)
          AND status = OLD.status;
END;
CREATE TRIGGER assignee_item_counts_update AFTER UPDATE OF assignee_id, organization_id, status ON items
WHEN COALESCE(OLD.assignee_id, 0) <> COALESCE(NEW.assignee_id, 0)
  OR COALESCE(OLD.organization_id, 0) <> COALESCE(NEW.organization_id, 0) OR OLD.status <> NEW.status
BEGIN
    UPDATE assignee_item_counts SET n = n - 1, stamp = (SELECT version FROM work_version WHERE id = 1) + 1
        WHERE assignee_id = COALESCE(OLD.assignee_id, 0) AND organization_id = COALESCE(OLD.organization_id, 0)
          AND status = OLD.status;
    INSERT INTO assignee_item_counts (assignee_id, organization_id, status, n, stamp)
        VALUES (COALESCE(NEW.assignee_id, 0), COALESCE(NEW.organization_id, 0), NEW.status, 1,
                (SELECT version FROM work_version WHERE id = 1) + 1)
        ON CONFLICT (assignee_id, organization_id, status) DO UPDATE SET n = n + 1, stamp = excluded.stamp;
END;
