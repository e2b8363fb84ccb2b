-- Foreign keys are recorded (a generated name and a named one) and follow a rename of the table
-- they reference.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int, a_id int REFERENCES a, CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES a (id));
ALTER TABLE a RENAME TO aa;
