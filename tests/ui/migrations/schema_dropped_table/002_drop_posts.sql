-- revision: 002
-- down_revision: 001

-- migrate:up
DROP TABLE posts;

-- migrate:down
CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
