-- Issue #17, point 2: the organization search keeps the rows of the organizations it
-- has shown (name, domains, member count) instead of reading 100 of them on every
-- request. Names are kept by the search text version (migration 0022) and member
-- counts by the member stamps; a change of an organization's domains now stamps it
-- too, the same way, so `organization_member_stamps` holds, for each organization, the
-- search version of the last change of its members or of its domains.
CREATE TRIGGER organization_domains_stamp_insert AFTER INSERT ON organization_domains
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (NEW.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
CREATE TRIGGER organization_domains_stamp_update AFTER UPDATE ON organization_domains
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (OLD.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (NEW.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
CREATE TRIGGER organization_domains_stamp_delete AFTER DELETE ON organization_domains
BEGIN
    UPDATE customer_counts SET version = version + 1 WHERE id = 1;
    INSERT OR REPLACE INTO organization_member_stamps (organization_id, stamp)
        VALUES (OLD.organization_id, (SELECT version FROM customer_counts WHERE id = 1));
END;
