-- A domain is a type: with or without `AS`, with a named check, in a schema.
-- file: 001_domains.sql
-- revision: 001
-- down_revision: none

-- migrate:up
CREATE SCHEMA app;
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN app.email text CONSTRAINT has_at CHECK (VALUE LIKE '%@%');
CREATE TABLE t (n posint, e app.email);

-- migrate:down
DROP TABLE t;
DROP DOMAIN app.email;
DROP DOMAIN posint;
DROP SCHEMA app;
