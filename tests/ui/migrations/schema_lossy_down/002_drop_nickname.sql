-- revision: 002
-- down_revision: 001
-- lossy_down: the nicknames are gone; the column comes back with a default of ''

-- migrate:up
ALTER TABLE users DROP COLUMN nickname;

-- migrate:down
ALTER TABLE users ADD COLUMN nickname text DEFAULT '';
