-- Search that finds (issue #15): a search of 3 characters or more matches anywhere in a customer's
-- first name, last name, full name and email (the domain part too) and in an organization's name,
-- regardless of case and accents, answered by FTS5 trigram indexes instead of a table scan.
--
-- Contentless tables (the text lives in customers and organizations) that triggers keep in step;
-- contentless_delete (SQLite 3.43+) lets them delete a row by its id. remove_diacritics (3.45+)
-- removes the accents orgdesk_core::search::fold removes from the search text ("Zoë" = "zoe").
CREATE VIRTUAL TABLE customers_search USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO customers_search (rowid, text)
    SELECT id, first_name || ' ' || last_name || ' ' || email FROM customers;
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, text) VALUES (new.id, new.first_name || ' ' || new.last_name || ' ' || new.email);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF first_name, last_name, email ON customers BEGIN
    DELETE FROM customers_search WHERE rowid = old.id;
    INSERT INTO customers_search (rowid, text) VALUES (new.id, new.first_name || ' ' || new.last_name || ' ' || new.email);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_search WHERE rowid = old.id;
END;

CREATE VIRTUAL TABLE organizations_search USING fts5(
    name, content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO organizations_search (rowid, name) SELECT id, name FROM organizations;
CREATE TRIGGER organizations_search_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER organizations_search_update AFTER UPDATE OF name ON organizations BEGIN
    DELETE FROM organizations_search WHERE rowid = old.id;
    INSERT INTO organizations_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER organizations_search_delete AFTER DELETE ON organizations BEGIN
    DELETE FROM organizations_search WHERE rowid = old.id;
END;

-- The Customers app's project filter reads project followers: a cached search result
-- (search_cache.rs) must not outlive a change of them either.
CREATE TRIGGER project_followers_version_insert AFTER INSERT ON project_followers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER project_followers_version_update AFTER UPDATE ON project_followers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER project_followers_version_delete AFTER DELETE ON project_followers
BEGIN UPDATE customer_counts SET version = version + 1 WHERE id = 1; END;
