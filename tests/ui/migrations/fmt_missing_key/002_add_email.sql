-- revision: 002
-- message: Add user email

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

-- migrate:down
ALTER TABLE users DROP COLUMN email;
