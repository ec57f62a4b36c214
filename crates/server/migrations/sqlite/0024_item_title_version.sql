-- Issue #17, point 2: a search of item titles alone stays cached while items change status.
--
-- Which items a title search matches, newest first, depends only on the titles and on
-- which items exist. `work_version.titles` is bumped by the writes that change those
-- (new items, deleted items, a changed title) and by no other: a result kept by it
-- survives status, priority and assignee changes, whose rows are read anew on every
-- request. It lives in the `work_version` row that every write to items already bumps,
-- so no write waits on a row it did not wait on before.

ALTER TABLE work_version ADD COLUMN titles BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER items_title_version_insert AFTER INSERT ON items
BEGIN UPDATE work_version SET titles = titles + 1 WHERE id = 1; END;
CREATE TRIGGER items_title_version_update AFTER UPDATE OF title ON items
WHEN NEW.title IS NOT OLD.title
BEGIN UPDATE work_version SET titles = titles + 1 WHERE id = 1; END;
CREATE TRIGGER items_title_version_delete AFTER DELETE ON items
BEGIN UPDATE work_version SET titles = titles + 1 WHERE id = 1; END;
