-- revision: 003
-- down_revision: 002

-- migrate:up
ALTER TABLE posts ADD COLUMN title text;

-- migrate:down
ALTER TABLE posts DROP COLUMN title;
