-- revision: 003
-- down_revision: 002
-- message: Drop the legacy column

-- migrate:up
ALTER TABLE people DROP COLUMN legacy;

-- migrate:down
ALTER TABLE people ADD COLUMN legacy text;
