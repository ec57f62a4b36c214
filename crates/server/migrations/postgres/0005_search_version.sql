-- A version number of everything an organization search reads (customers, memberships,
-- organizations, their domains). Every writing statement bumps it in the writing transaction, so a
-- cached search result (search_cache.rs) is reused only while it is still true.
ALTER TABLE customer_counts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_search_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER customers_version AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version();
CREATE TRIGGER memberships_version AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version();
CREATE TRIGGER organizations_version AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version();
CREATE TRIGGER organization_domains_version AFTER INSERT OR UPDATE OR DELETE ON organization_domains
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version();
