-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE plans (name text PRIMARY KEY, price integer NOT NULL);

-- migrate:down
DROP TABLE plans;
