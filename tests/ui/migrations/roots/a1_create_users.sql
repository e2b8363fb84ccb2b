-- revision: a1
-- down_revision: none
-- message: Create users (accounts service)

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE users;
