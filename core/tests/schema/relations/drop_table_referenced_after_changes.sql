-- A foreign key keeps its table from being dropped however it came to be: added by ALTER
-- TABLE (as a constraint or with a new column), after the referenced table was renamed,
-- after the referring table was renamed, and after the referenced table was dropped with
-- CASCADE and made again (the old key went with it).
-- file: 001_tables.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY, a_id int);
ALTER TABLE b ADD CONSTRAINT b_to_a FOREIGN KEY (a_id) REFERENCES a;
CREATE TABLE c (id int PRIMARY KEY);
ALTER TABLE c ADD COLUMN a_id int REFERENCES a;
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE q (id int PRIMARY KEY, p_id int REFERENCES p);
CREATE TABLE r (id int PRIMARY KEY);
CREATE TABLE s (id int PRIMARY KEY, r_id int REFERENCES r);

-- migrate:down
DROP TABLE s, r, q, p, c, b, a;

-- file: 002_renames.sql
-- revision: 002
-- down_revision: 001

-- migrate:up
ALTER TABLE a RENAME TO a2;
ALTER TABLE q RENAME TO q2;
DROP TABLE r CASCADE;
CREATE TABLE r (id int PRIMARY KEY);

-- migrate:down
DROP TABLE r;
CREATE TABLE r (id int PRIMARY KEY);
ALTER TABLE s ADD CONSTRAINT s_r_id_fkey FOREIGN KEY (r_id) REFERENCES r;
ALTER TABLE q2 RENAME TO q;
ALTER TABLE a2 RENAME TO a;

-- file: 003_drops.sql
-- revision: 003
-- down_revision: 002
-- lossy_down: test

-- migrate:up
DROP TABLE a2;
DROP TABLE p;
DROP TABLE r;

-- migrate:down
