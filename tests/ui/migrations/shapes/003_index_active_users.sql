-- revision: 003
-- down_revision: 001
-- message: Index active users by last name
-- transaction: false

-- migrate:up
CREATE INDEX CONCURRENTLY users_active_last_name_idx
    ON users (last_name)
    WHERE deleted_at IS NULL;

-- migrate:down
DROP INDEX CONCURRENTLY users_active_last_name_idx;
