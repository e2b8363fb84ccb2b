-- revision: 002
-- down_revision: none

-- migrate:up
CREATE TABLE posts (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE posts;
