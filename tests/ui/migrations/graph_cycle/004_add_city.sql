-- revision: 004
-- down_revision: 003

-- migrate:up
ALTER TABLE users ADD COLUMN city text;

-- migrate:down
ALTER TABLE users DROP COLUMN city;
