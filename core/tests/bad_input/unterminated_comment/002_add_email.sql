-- revision: 002
-- down_revision: 001

-- migrate:up
/* email is optional for now
ALTER TABLE users ADD COLUMN email text;

-- migrate:down
ALTER TABLE users DROP COLUMN email;
