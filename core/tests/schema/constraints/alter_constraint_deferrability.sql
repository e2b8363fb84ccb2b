-- `ALTER CONSTRAINT … DEFERRABLE INITIALLY DEFERRED` changes a foreign key's clauses in
-- place (the printed DDL shows the new ones, before `NOT VALID`).
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (a_id int);
ALTER TABLE b ADD CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a ON DELETE CASCADE NOT VALID;

-- migrate:down
DROP TABLE b;
DROP TABLE a;

-- file: 002_defer.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE b ALTER CONSTRAINT b_a DEFERRABLE INITIALLY DEFERRED;

-- migrate:down
ALTER TABLE b ALTER CONSTRAINT b_a NOT DEFERRABLE;
