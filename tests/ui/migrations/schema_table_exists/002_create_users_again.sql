-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, name text);

-- migrate:down
DROP TABLE users;
