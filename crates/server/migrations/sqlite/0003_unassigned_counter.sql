-- How many customers are in no organization, kept up to date by triggers, so the
-- Customers list need not count 100k rows on every request.
CREATE TABLE customer_counts (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    unassigned BIGINT  NOT NULL
);
INSERT INTO customer_counts (id, unassigned)
SELECT 1, (SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id));

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
BEGIN UPDATE customer_counts SET unassigned = unassigned + 1 WHERE id = 1; END;
-- A member's membership goes first (by cascade or explicitly), adding one back.
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
BEGIN UPDATE customer_counts SET unassigned = unassigned - 1 WHERE id = 1; END;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
BEGIN UPDATE customer_counts SET unassigned = unassigned - 1 WHERE id = 1; END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
BEGIN UPDATE customer_counts SET unassigned = unassigned + 1 WHERE id = 1; END;

-- First names are found through sort_name ("first last").
DROP INDEX customers_first_key;
