-- Dropping a table that another table's foreign key references fails without CASCADE, as on
-- PostgreSQL (and drops nothing, as PostgreSQL); dropping both in one statement, a
-- self-reference, or CASCADE is fine.
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE a (id int PRIMARY KEY, parent int REFERENCES a);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
CREATE TABLE c (id int PRIMARY KEY, a_id int CONSTRAINT c_to_a REFERENCES a);
CREATE TABLE d (id int PRIMARY KEY, parent int REFERENCES d);
CREATE TABLE e (id int PRIMARY KEY);
CREATE TABLE f (id int PRIMARY KEY, e_id int REFERENCES e);

-- migrate:down
DROP TABLE f, e, d, c, b, a;

-- file: 002_drop_a.sql
-- revision: 002
-- down_revision: 001
-- lossy_down: test

-- migrate:up
DROP TABLE a;
DROP TABLE IF EXISTS a;
DROP TABLE e CASCADE;

-- migrate:down

-- file: 003_drop_together.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: test

-- migrate:up
DROP TABLE d;
DROP TABLE c, b, a;

-- migrate:down
