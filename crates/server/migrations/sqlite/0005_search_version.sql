-- A version number of everything an organization search reads (customers, memberships,
-- organizations, their domains). Every write bumps it in the writing transaction, so a
-- cached search result (search_cache.rs) is reused only while it is still true.
ALTER TABLE customer_counts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE TRIGGER customers_version_insert AFTER INSERT ON customers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_version_update AFTER UPDATE ON customers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER customers_version_delete AFTER DELETE ON customers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER memberships_version_insert AFTER INSERT ON memberships
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER memberships_version_update AFTER UPDATE ON memberships
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER memberships_version_delete AFTER DELETE ON memberships
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_version_insert AFTER INSERT ON organizations
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_version_update AFTER UPDATE ON organizations
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organizations_version_delete AFTER DELETE ON organizations
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organization_domains_version_insert AFTER INSERT ON organization_domains
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organization_domains_version_update AFTER UPDATE ON organization_domains
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER organization_domains_version_delete AFTER DELETE ON organization_domains
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
