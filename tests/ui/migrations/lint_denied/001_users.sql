-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, email text);

-- migrate:down
DROP TABLE users;
