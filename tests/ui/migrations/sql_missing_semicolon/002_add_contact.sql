-- revision: 002
-- down_revision: 001
-- message: Add contact columns

-- migrate:up
ALTER TABLE users ADD COLUMN email text
ALTER TABLE users ADD COLUMN phone text;

-- migrate:down
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN email;
