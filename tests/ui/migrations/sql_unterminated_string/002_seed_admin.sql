-- revision: 002
-- down_revision: 001
-- message: Seed the admin user

-- migrate:up
INSERT INTO users (id, name) VALUES (1, 'admin);
ALTER TABLE users ADD COLUMN email text;

-- migrate:down
ALTER TABLE users DROP COLUMN email;
DELETE FROM users WHERE id = 1;
