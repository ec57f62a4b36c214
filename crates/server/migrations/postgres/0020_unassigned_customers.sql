-- The customers in no organization, by name, kept by triggers (issue #17): the "No organization"
-- group is paged from this index instead of walking all 100k customers by name and skipping
-- those with a membership. Statement-level triggers, as for the unassigned count (0003), so a
-- bulk insert or move costs one statement each.
CREATE TABLE unassigned_customers (
    customer_id BIGINT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    sort_name   TEXT COLLATE "C" NOT NULL
);
INSERT INTO unassigned_customers (customer_id, sort_name)
SELECT c.id, c.sort_name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id);
CREATE INDEX unassigned_customers_sort ON unassigned_customers (sort_name, customer_id);

CREATE FUNCTION unassigned_add_new_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unassigned_customers (customer_id, sort_name)
    SELECT n.id, n.sort_name FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = n.id);
    RETURN NULL;
END $$;
CREATE FUNCTION unassigned_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unassigned_customers SET sort_name = NEW.sort_name WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE FUNCTION unassigned_drop_new_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM unassigned_customers u USING new_rows n WHERE u.customer_id = n.customer_id;
    RETURN NULL;
END $$;
-- A deleted customer's membership goes by cascade after the customer: the join finds nothing.
CREATE FUNCTION unassigned_add_old_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unassigned_customers (customer_id, sort_name)
    SELECT c.id, c.sort_name FROM old_rows o JOIN customers c ON c.id = o.customer_id
    WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id)
    ON CONFLICT (customer_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER unassigned_customer_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_add_new_customers();
CREATE TRIGGER unassigned_customer_rename AFTER UPDATE OF sort_name ON customers
    FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name) EXECUTE FUNCTION unassigned_rename();
CREATE TRIGGER unassigned_membership_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_drop_new_members();
CREATE TRIGGER unassigned_membership_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION unassigned_add_old_members();

-- The organizations list skips OFFSET rows along this index alone: the index on (name_key, id)
-- does not hold deleted_at, so each skipped organization was read from the table to test it.
CREATE INDEX organizations_live_name ON organizations (name_key, id) WHERE deleted_at IS NULL;
