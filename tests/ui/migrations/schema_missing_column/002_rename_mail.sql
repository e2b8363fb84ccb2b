-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE users RENAME COLUMN mail TO email_address;

-- migrate:down
ALTER TABLE users RENAME COLUMN email_address TO mail;
