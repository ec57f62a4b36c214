-- Issue #17, point 2: the pickers' customer search stays cached while customers move.
--
-- What a search matches and in which order depends only on text: customers' names and
-- emails, organizations' names (and whether one is deleted). `search_text_version` is
-- bumped by every write that can change that text, and only by those (a move does not),
-- so a result kept by it survives the moves.
--
-- What moves do change is who belongs to which organization: every statement changing
-- memberships stamps the organizations that gained or lost a member with the search
-- version (`customer_counts.version`, migration 0005) after a bump of its own. The bump
-- locks that row until the commit, so the stamp is above every version visible before
-- the write commits. A result computed at version V whose matches through organizations'
-- names cover the organizations O is still exact while no organization of O is stamped
-- above V: one read of the (few) organizations stamped since V, by this index.

CREATE TABLE search_text_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO search_text_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_search_text_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_text_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER customers_text_version
    AFTER INSERT OR DELETE OR UPDATE OF first_name, last_name, email, first_key, last_key, sort_name ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_text_version();
CREATE TRIGGER organizations_text_version AFTER INSERT OR DELETE OR UPDATE OF name, name_key, deleted_at ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_text_version();

CREATE TABLE organization_member_stamps (
    organization_id BIGINT PRIMARY KEY,
    stamp           BIGINT NOT NULL
);
CREATE INDEX organization_member_stamps_stamp ON organization_member_stamps (stamp);

-- `new_rows` and `old_rows` are read only for the operations that have them.
CREATE FUNCTION stamp_member_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v BIGINT;
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO organization_member_stamps (organization_id, stamp)
        SELECT DISTINCT organization_id, v FROM new_rows
        ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO organization_member_stamps (organization_id, stamp)
        SELECT DISTINCT organization_id, v FROM old_rows
        ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_member_stamp_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
CREATE TRIGGER memberships_member_stamp_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
CREATE TRIGGER memberships_member_stamp_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
