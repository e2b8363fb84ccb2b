-- revision: 003
-- down_revision: 002

-- migrate:up
CREATE TABLE posts (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE posts;
