-- Adds the email column, see ticket 42.
-- revision: 002
-- down_revision: 001
-- message: Add user email

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

-- migrate:down
ALTER TABLE users DROP COLUMN email;
