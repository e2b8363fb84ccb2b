-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE users ADD COLUMN created_at timestamptz;
CREATE INDEX users_email ON users (email);

-- migrate:down
ALTER TABLE users DROP COLUMN created_at;
