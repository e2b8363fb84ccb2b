-- A down section that does not restore a dropped column nor drop a type its up created: one
-- error each.
-- file: 001_create_users.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE users (id int PRIMARY KEY, email text);

-- migrate:down
DROP TABLE users;

-- file: 002_change_users.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE INDEX idx_user_email ON users (email);
CREATE TYPE mood AS ENUM ('x');
ALTER TABLE users DROP COLUMN email;

-- migrate:down
SELECT 1;
