-- Usergroups (Administration > Usergroups): named groups that grant portal
-- permissions on top of a customer's own and their organization's: the items of
-- extra projects (usergroup_projects), and for those projects whether members may
-- submit tickets (may_create) and reply (may_reply).
--
-- Membership has two sources. usergroup_members holds INDIVIDUAL membership only;
-- membership through an organization is never written per customer: it is read at
-- request time as "member of organization X AND X linked to the group"
-- (usergroup_organizations), so every member, present and future, is in the group,
-- and a customer who leaves the organization is out of it at once.

CREATE TABLE usergroups (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- lower-cased name: names are unique whatever their case
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    may_create  BOOLEAN NOT NULL DEFAULT FALSE,
    may_reply   BOOLEAN NOT NULL DEFAULT FALSE,
    version     BIGINT  NOT NULL DEFAULT 1,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE usergroup_projects (
    usergroup_id INTEGER NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (usergroup_id, project_id)
);
-- Who sees a project's items through a usergroup ("Who can see this?").
CREATE INDEX usergroup_projects_project ON usergroup_projects (project_id, usergroup_id);

CREATE TABLE usergroup_organizations (
    usergroup_id    INTEGER NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (usergroup_id, organization_id)
);
-- An organization's groups (its panel, its members' access).
CREATE INDEX usergroup_organizations_org ON usergroup_organizations (organization_id, usergroup_id);

CREATE TABLE usergroup_members (
    usergroup_id INTEGER NOT NULL REFERENCES usergroups (id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (usergroup_id, customer_id)
);
-- A customer's individual groups (their profile, their access).
CREATE INDEX usergroup_members_customer ON usergroup_members (customer_id, usergroup_id);
