-- Issue #17, point 2: a search of item titles alone stays cached while items change status.
--
-- Which items a title search matches, newest first, depends only on the titles and on
-- which items exist. `work_version.titles` is bumped by the writes that change those
-- (new items, deleted items, a changed title) and by no other: a result kept by it
-- survives status, priority and assignee changes, whose rows are read anew on every
-- request. It lives in the `work_version` row that every write to items already locks
-- until the commit (`items_work_version`), so no write waits on a row it did not wait
-- on before, and a bump is above every version visible before the write commits.

ALTER TABLE work_version ADD COLUMN titles BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_item_title_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE work_version SET titles = titles + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER items_title_version AFTER INSERT OR DELETE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_item_title_version();
-- An item's update sets its title whether it changed or not: only a changed one counts.
CREATE TRIGGER items_title_version_update AFTER UPDATE OF title ON items
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION bump_item_title_version();
