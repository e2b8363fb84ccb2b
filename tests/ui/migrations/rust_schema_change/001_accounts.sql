-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, email_domain text);

-- migrate:down
DROP TABLE accounts;
