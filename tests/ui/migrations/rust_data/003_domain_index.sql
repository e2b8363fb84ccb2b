-- revision: 003
-- down_revision: 002
-- message: Index the domains

-- migrate:up
CREATE INDEX accounts_email_domain ON accounts (email_domain);

-- migrate:down
DROP INDEX accounts_email_domain;
