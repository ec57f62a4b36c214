-- A page of the "No organization" group (issue #17), read along unassigned_customers_sort
-- (0020) however deep the offset. For an offset near the end of the group the planner
-- estimated a sequential scan and a sort of the whole group (10,000 rows: 6-46 ms on a busy
-- machine) cheaper than skipping that many index entries (index-only: 0.7-2 ms), so the
-- function plans its one query with sorts off. Rows come out in the index's order (number
-- them WITH ORDINALITY: the caller's ORDER BY would compare names in another collation).
CREATE FUNCTION unassigned_page(page_size BIGINT, skip BIGINT) RETURNS TABLE (customer_id BIGINT)
LANGUAGE sql STABLE SET enable_sort = off AS $$
    SELECT u.customer_id FROM unassigned_customers u ORDER BY u.sort_name, u.customer_id LIMIT page_size OFFSET skip
$$;
