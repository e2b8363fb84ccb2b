-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE INDEX users_email ON users (email);

-- migrate:down
DROP INDEX users_email;
