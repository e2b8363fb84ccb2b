-- As PostgreSQL: a string default keeps the type it had before ALTER COLUMN … TYPE, now() loses
-- its implicit cast; a check added NOT VALID stays so (and is added after the table in the DDL)
-- until VALIDATE CONSTRAINT.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a timestamp DEFAULT '1970-01-01', b timestamp DEFAULT now(), n text);
ALTER TABLE t ALTER COLUMN a TYPE timestamptz, ALTER COLUMN b TYPE timestamptz;
ALTER TABLE t ADD CONSTRAINT t_n_len CHECK (char_length(n) < 9) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_n_nonempty CHECK (n <> '') NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_n_nonempty;
