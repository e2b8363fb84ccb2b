-- revision: 004
-- down_revision: 002

-- migrate:up
ALTER TABLE users ADD COLUMN phone text;

-- migrate:down
ALTER TABLE users DROP COLUMN phone;
