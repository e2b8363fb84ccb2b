-- revision: 001
-- down_revision: none
-- message: A table whose columns come from a query

-- migrate:up
CREATE TABLE plain (id int PRIMARY KEY);
CREATE TABLE summary AS SELECT 1 AS n, 'x'::text AS label;
CREATE VIEW plain_ids AS SELECT id FROM plain;

-- migrate:down
DROP VIEW plain_ids;
DROP TABLE summary;
DROP TABLE plain;
