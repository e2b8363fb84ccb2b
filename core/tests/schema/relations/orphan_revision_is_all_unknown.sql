-- The schema after a revision whose parent is missing: nothing known.
-- file: 002_create_v.sql
-- revision: 002
-- down_revision: 009

-- migrate:up
CREATE TABLE v (a int);

-- migrate:down
DROP TABLE v;
