-- revision: 002
-- down_revision: 001
-- message: Index users by name

-- migrate:up
CREATE INDEX CONCURRENTLY users_name_idx ON users (name);

-- migrate:down
DROP INDEX CONCURRENTLY users_name_idx;
