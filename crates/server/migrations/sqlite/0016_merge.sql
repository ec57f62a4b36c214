-- Organization merge (issue #16): the id of a merged organization answers with the
-- organization it was merged into, so old links keep working. Chains are kept one
-- hop long: merging B (which absorbed A) into C re-points A's row to C too. A row
-- goes when its survivor is deleted.
CREATE TABLE organization_redirects (
    old_id      INTEGER PRIMARY KEY,
    survivor_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    merged_at   BIGINT NOT NULL
);
CREATE INDEX organization_redirects_survivor ON organization_redirects (survivor_id);
