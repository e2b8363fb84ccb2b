-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);

-- migrate:down
ALTER TABLE users ALTER COLUMN email TYPE text;
