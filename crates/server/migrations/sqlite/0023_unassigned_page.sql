-- PostgreSQL reads a page of the "No organization" group through a function that keeps
-- its planner on the index (see postgres/0023); SQLite's planner already walks
-- unassigned_customers_sort, so nothing changes here.
SELECT 1;
