-- Issue #16, points 4 and 5: a deleted organization stays (deleted_at set) until the
-- retention ends, inert: its domains, members and children's links move to the
-- deleted_organization_* tables (so no domain rule, member count or hierarchy sees it),
-- its name is freed (name_key changed), and every list, search and picker skips it.
-- Items keep a record of the organization they had. Duplicate suggestions group
-- organizations by a stored key (name) and domains by their root.

ALTER TABLE organizations ADD COLUMN deleted_at BIGINT;
ALTER TABLE organizations ADD COLUMN deleted_by BIGINT REFERENCES agents (id) ON DELETE SET NULL;
-- The parent it had when it was deleted (its link is cut meanwhile).
ALTER TABLE organizations ADD COLUMN deleted_parent_id BIGINT;
-- The name folded, without punctuation or legal suffixes (NULL: not computed yet; the
-- server fills it at start).
ALTER TABLE organizations ADD COLUMN duplicate_key TEXT;
CREATE INDEX organizations_deleted ON organizations (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX organizations_duplicate_key ON organizations (duplicate_key, id);

-- The domain's root ("acme" for mail.acme.co.uk; NULL: not computed yet).
ALTER TABLE organization_domains ADD COLUMN root TEXT;
CREATE INDEX organization_domains_root ON organization_domains (root, organization_id);

ALTER TABLE items ADD COLUMN former_organization_id BIGINT;
ALTER TABLE items ADD COLUMN former_organization_name TEXT;
CREATE INDEX items_former_organization ON items (former_organization_id);

CREATE TABLE deleted_organization_domains (
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain          TEXT    NOT NULL,
    PRIMARY KEY (organization_id, domain)
);

-- The members a deleted organization had, and where the deletion put them
-- (moved_to NULL: no organization); a restore brings back those still there.
CREATE TABLE deleted_organization_members (
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    customer_id     BIGINT  NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    position        TEXT    NOT NULL DEFAULT '',
    role            TEXT    NOT NULL DEFAULT 'member',
    moved_to        BIGINT,
    PRIMARY KEY (organization_id, customer_id)
);
CREATE INDEX deleted_organization_members_customer ON deleted_organization_members (customer_id);

-- The sub-organizations a deleted organization had.
CREATE TABLE deleted_organization_children (
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    child_id        BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, child_id)
);
CREATE INDEX deleted_organization_children_child ON deleted_organization_children (child_id);

-- Pairs an agent said are not duplicates (first_id < second_id).
CREATE TABLE duplicate_dismissals (
    first_id     BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    second_id    BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    dismissed_at BIGINT  NOT NULL,
    PRIMARY KEY (first_id, second_id)
);
CREATE INDEX duplicate_dismissals_second ON duplicate_dismissals (second_id);

-- The organization count counts the organizations that are not deleted.
CREATE OR REPLACE FUNCTION organizations_minus_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET organizations = organizations - (SELECT COUNT(*) FROM old_rows WHERE deleted_at IS NULL)
    WHERE id = 1;
    RETURN NULL;
END $$;
CREATE FUNCTION organizations_count_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts
    SET organizations = organizations + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END) WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_count_soft_delete AFTER UPDATE OF deleted_at ON organizations
    FOR EACH ROW WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION organizations_count_soft_delete();
