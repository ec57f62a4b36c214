-- Issue #17, point 4: the title index moves out of the items' rows.
--
-- `items_title_trgm` (migration 0019) indexed `LOWER(title)` on `items` itself. A move
-- changes its customers' open items' organization and a status change their status,
-- both indexed columns, so every such write made new row versions with new entries in
-- every index of `items`, the trigram index too: about twenty trigrams for a title that
-- did not change. GIN gathers those in a pending list, and the write that found the list
-- past 4 MB merged it into the index inside its own statement: under the benchmark's
-- moves that was every two seconds, and that write took 130-150 ms instead of 1-20 ms
-- (the moves' p99). Without the list (`fastupdate = off`) every write inserted its
-- trigrams itself and the moves' median went from 32 to 55 ms.
--
-- The lowercase titles live in a table of their own, as SQLite's `items_search` (FTS5)
-- does: written when an item is created or retitled, removed with it, and never touched
-- by a move or a change of status, priority or assignee. A title search reads it:
-- `i.id IN (SELECT id FROM item_titles WHERE title_lower LIKE ...)`.
CREATE TABLE item_titles (
    id          BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    title_lower TEXT   NOT NULL
);
INSERT INTO item_titles (id, title_lower) SELECT id, LOWER(title) FROM items;
CREATE INDEX item_titles_trgm ON item_titles USING gin (title_lower gin_trgm_ops);
DROP INDEX items_title_trgm;

CREATE FUNCTION item_titles_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_titles (id, title_lower) SELECT id, LOWER(title) FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER item_titles_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION item_titles_insert();

CREATE FUNCTION item_titles_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE item_titles SET title_lower = LOWER(NEW.title) WHERE id = NEW.id;
    RETURN NULL;
END $$;
-- An item's update sets its title whether it changed or not: only a changed one counts.
CREATE TRIGGER item_titles_update AFTER UPDATE OF title ON items
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION item_titles_update();
