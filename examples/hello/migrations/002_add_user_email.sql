-- revision: 002
-- down_revision: 001
-- message: Add user email

-- migrate:up
-- Give up rather than queue every query on `users` behind this migration's lock.
SET LOCAL lock_timeout = '5s';
ALTER TABLE users ADD COLUMN email text;

-- One account per address, whatever its case.
-- retort:allow create-index-blocks-writes users has no rows before this release
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- migrate:down
DROP INDEX users_email_key;
ALTER TABLE users DROP COLUMN email;
