-- revision: 002
-- down_revision: 001
-- message: Add user email

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- migrate:down
DROP INDEX users_email_key;
ALTER TABLE users DROP COLUMN email;
