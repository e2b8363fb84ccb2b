-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));

-- migrate:down
DROP TABLE posts;
DROP TABLE users;
