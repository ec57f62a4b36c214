-- How many customers are in no organization, kept up to date by statement-level
-- triggers, so the Customers list need not count 100k rows on every request.
CREATE TABLE customer_counts (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    unassigned BIGINT  NOT NULL
);
INSERT INTO customer_counts (id, unassigned)
SELECT 1, (SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id));

CREATE FUNCTION unassigned_plus_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET unassigned = unassigned + (SELECT COUNT(*) FROM new_rows) WHERE id = 1;
    RETURN NULL;
END $$;
CREATE FUNCTION unassigned_minus_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET unassigned = unassigned - (SELECT COUNT(*) FROM new_rows) WHERE id = 1;
    RETURN NULL;
END $$;
CREATE FUNCTION unassigned_plus_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET unassigned = unassigned + (SELECT COUNT(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END $$;
CREATE FUNCTION unassigned_minus_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET unassigned = unassigned - (SELECT COUNT(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_plus_new_rows();
-- A member's membership goes first (by cascade or explicitly), adding one back.
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_minus_old_rows();
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_minus_new_rows();
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_plus_old_rows();

-- First names are found through sort_name ("first last").
DROP INDEX customers_first_key;
