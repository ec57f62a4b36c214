-- The customers in no organization, by name, kept by triggers (issue #17): the "No organization"
-- group is paged from this index instead of walking all 100k customers by name and skipping
-- those with a membership (a page at offset 5,000 read about 50,000 customers: 145 ms).
CREATE TABLE unassigned_customers (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    sort_name   TEXT    NOT NULL
);
INSERT INTO unassigned_customers (customer_id, sort_name)
SELECT c.id, c.sort_name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id);
CREATE INDEX unassigned_customers_sort ON unassigned_customers (sort_name, customer_id);

CREATE TRIGGER unassigned_customer_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO unassigned_customers (customer_id, sort_name)
    SELECT new.id, new.sort_name WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = new.id);
END;
CREATE TRIGGER unassigned_customer_rename AFTER UPDATE OF sort_name ON customers
BEGIN
    UPDATE unassigned_customers SET sort_name = new.sort_name WHERE customer_id = new.id;
END;
CREATE TRIGGER unassigned_membership_insert AFTER INSERT ON memberships
BEGIN
    DELETE FROM unassigned_customers WHERE customer_id = new.customer_id;
END;
-- A deleted customer's membership goes by cascade after the customer: nothing to add back.
CREATE TRIGGER unassigned_membership_delete AFTER DELETE ON memberships
BEGIN
    INSERT OR IGNORE INTO unassigned_customers (customer_id, sort_name)
    SELECT c.id, c.sort_name FROM customers c WHERE c.id = old.customer_id;
END;

-- The organizations list skips OFFSET rows along this index alone: the index on (name_key, id)
-- does not hold deleted_at, so each skipped organization was read from the table to test it.
CREATE INDEX organizations_live_name ON organizations (name_key, id) WHERE deleted_at IS NULL;
