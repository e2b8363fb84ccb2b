-- revision: 002
-- down_revision: 001
-- message: Add user email
-- message: Add the email column

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

-- migrate:down
ALTER TABLE users DROP COLUMN email;
