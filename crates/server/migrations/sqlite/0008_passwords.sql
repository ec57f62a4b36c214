-- Passwords: an agent may have to choose a new password at the next sign-in (the
-- bootstrapped first admin), and one-time, expiring reset links (only their SHA-256 is stored).

ALTER TABLE agents ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE password_reset_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE UNIQUE INDEX password_reset_tokens_hash ON password_reset_tokens (token_hash);
CREATE INDEX password_reset_tokens_agent ON password_reset_tokens (agent_id);
CREATE INDEX password_reset_tokens_expires ON password_reset_tokens (expires_at);
