-- Altering a table that an earlier revision dropped: the error says where it was dropped.
-- file: 001_create_posts.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE posts (id int);

-- file: 002_drop_posts.sql
-- revision: 002
-- down_revision: 001
-- irreversible: test

-- migrate:up
DROP TABLE posts;

-- file: 003_alter_posts.sql
-- revision: 003
-- down_revision: 002
-- irreversible: test

-- migrate:up
ALTER TABLE posts ADD COLUMN x int;
