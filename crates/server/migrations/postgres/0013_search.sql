-- Search that finds (issue #15): a search of 3 characters or more matches anywhere in a customer's
-- first name, last name, full name and email (the domain part too) and in an organization's name,
-- regardless of case and accents, answered by trigram indexes (pg_trgm GIN) instead of a table scan.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
-- database's owner may create it without being a superuser. Where the role running the migrations
-- may not, a superuser runs `CREATE EXTENSION pg_trgm` in the database once, beforehand.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The search key of a text: lower case, accents of Latin letters removed. The same table as
-- orgdesk_core::search::FOLDED_FROM / FOLDED_TO (a unit test compares them), which folds the search
-- text itself. IMMUTABLE, so it can be indexed; a single SELECT, so the planner inlines it.
CREATE FUNCTION orgdesk_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(translate(t, 'àáâãäåāăąçćĉċčďèéêëēĕėęěĝğġģĥìíîïĩīĭįĵķĺļľñńņňòóôõöōŏőŕŗřśŝşšșţťțùúûüũūŭůűųŵýÿŷźżžÀÁÂÃÄÅĀĂĄÇĆĈĊČĎÈÉÊËĒĔĖĘĚĜĞĠĢĤÌÍÎÏĨĪĬĮİĴĶĹĻĽÑŃŅŇÒÓÔÕÖŌŎŐŔŖŘŚŜŞŠȘŢŤȚÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ', 'aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiijklllnnnnoooooooorrrssssstttuuuuuuuuuuwyyyzzzaaaaaaaaacccccdeeeeeeeeegggghiiiiiiiiijklllnnnnoooooooorrrssssstttuuuuuuuuuuwyyyzzz'))
$$;

-- What a search matches, folded and stored (generated columns), so that checking a row is a plain
-- LIKE: "first last email" of a customer, the name of an organization (db/search.rs).
ALTER TABLE customers ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (orgdesk_fold(first_name || ' ' || last_name || ' ' || email)) STORED;
CREATE INDEX customers_search_trgm ON customers USING gin (search_text gin_trgm_ops);
ALTER TABLE organizations ADD COLUMN search_text TEXT GENERATED ALWAYS AS (orgdesk_fold(name)) STORED;
CREATE INDEX organizations_search_trgm ON organizations USING gin (search_text gin_trgm_ops);

-- The Customers app's project filter reads project followers: a cached search result
-- (search_cache.rs) must not outlive a change of them either.
CREATE TRIGGER project_followers_version AFTER INSERT OR UPDATE OR DELETE ON project_followers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version();
