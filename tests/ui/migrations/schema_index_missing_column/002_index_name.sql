-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE INDEX users_name ON users (name);

-- migrate:down
DROP INDEX users_name;
