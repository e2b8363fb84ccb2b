-- An empty down section leaves the index its up created.
-- file: 001_create_users.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE users (id int PRIMARY KEY, email text);

-- migrate:down
DROP TABLE users;

-- file: 002_index_email.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE INDEX idx_user_email ON users (email);

-- migrate:down
