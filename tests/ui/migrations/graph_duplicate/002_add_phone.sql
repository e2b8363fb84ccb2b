-- revision: 002
-- down_revision: 001
-- message: Add user phone

-- migrate:up
ALTER TABLE users ADD COLUMN phone text;

-- migrate:down
ALTER TABLE users DROP COLUMN phone;
