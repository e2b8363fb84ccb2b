-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE TYPE mood AS ENUM ('happy', 'sad');
ALTER TABLE users ADD COLUMN mood mood;

-- migrate:down
ALTER TABLE users DROP COLUMN mood;
