-- revision: 003
-- down_revision: 001

-- migrate:up
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- migrate:down
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
