-- How many organizations there are, kept by statement-level triggers like the unassigned
-- count, so a page of the organization list need not count 10k rows.
ALTER TABLE customer_counts ADD COLUMN organizations BIGINT NOT NULL DEFAULT 0;
UPDATE customer_counts SET organizations = (SELECT COUNT(*) FROM organizations) WHERE id = 1;

CREATE FUNCTION organizations_plus_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET organizations = organizations + (SELECT COUNT(*) FROM new_rows) WHERE id = 1;
    RETURN NULL;
END $$;
CREATE FUNCTION organizations_minus_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET organizations = organizations - (SELECT COUNT(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER organizations_count_insert AFTER INSERT ON organizations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_plus_new_rows();
CREATE TRIGGER organizations_count_delete AFTER DELETE ON organizations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organizations_minus_old_rows();
