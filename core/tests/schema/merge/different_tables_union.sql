-- Branches that touch different objects merge to the union.
-- file: 001_create_t.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE t (a int);

-- migrate:down
DROP TABLE t;

-- file: 002_create_u.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE TABLE u (a int);

-- migrate:down
DROP TABLE u;

-- file: 003_create_v.sql
-- revision: 003
-- down_revision: 001

-- migrate:up
CREATE TABLE v (a int);

-- migrate:down
DROP TABLE v;

-- file: 004_merge.sql
-- revision: 004
-- down_revision: 002, 003

-- migrate:up
ALTER TABLE u ADD COLUMN b int; ALTER TABLE v ADD COLUMN b int;

-- migrate:down
ALTER TABLE u DROP COLUMN b; ALTER TABLE v DROP COLUMN b;
