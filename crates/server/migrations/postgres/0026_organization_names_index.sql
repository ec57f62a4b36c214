-- Issue #17: the organizations' trigram index (migration 0013) keeps no pending list.
--
-- With GIN's default `fastupdate`, new index entries wait in a pending list that every
-- search reads through, entry by entry, until autovacuum (or a list past 4 MB) merges it.
-- Organizations are written rarely, but a write of many at once (an import, a start that
-- filled in 10,000 missing duplicate keys) left the list long enough that each organization
-- and picker search paid about 3 ms for it in the benchmark, against 0.02 ms after the
-- merge. Without the list each write of an organization puts its ten-odd trigrams into
-- the index itself, which costs little at the rate organizations are written.
-- (The customers' index keeps its list: imports write 100,000 customers at once.)
ALTER INDEX organizations_search_trgm SET (fastupdate = off);
SELECT gin_clean_pending_list('organizations_search_trgm'::regclass);
