-- How many organizations there are, kept by triggers like the unassigned count, so a
-- page of the organization list need not count 10k rows.
ALTER TABLE customer_counts ADD COLUMN organizations BIGINT NOT NULL DEFAULT 0;
UPDATE customer_counts SET organizations = (SELECT COUNT(*) FROM organizations) WHERE id = 1;

CREATE TRIGGER organizations_count_insert AFTER INSERT ON organizations
BEGIN UPDATE customer_counts SET organizations = organizations + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_count_delete AFTER DELETE ON organizations
BEGIN UPDATE customer_counts SET organizations = organizations - 1 WHERE id = 1; END;
