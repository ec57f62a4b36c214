-- Issue #17, point 2: the organization search keeps the rows of the organizations it
-- has shown (name, domains, member count) instead of reading 100 of them on every
-- request. Names are kept by the search text version (migration 0022) and member
-- counts by the member stamps; a change of an organization's domains now stamps it
-- too, the same way, so `organization_member_stamps` holds, for each organization, the
-- search version of the last change of its members or of its domains.
CREATE TRIGGER organization_domains_stamp_insert AFTER INSERT ON organization_domains
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
CREATE TRIGGER organization_domains_stamp_update AFTER UPDATE ON organization_domains
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
CREATE TRIGGER organization_domains_stamp_delete AFTER DELETE ON organization_domains
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stamp_member_organizations();
