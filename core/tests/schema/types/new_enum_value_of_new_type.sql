-- A value added to a type created in the same transaction is not reported: whether PostgreSQL
-- accepts its use there has changed between versions (15 refuses it), so the model says
-- nothing rather than guess.
-- file: 001_sizes.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TYPE size AS ENUM ('s');
ALTER TYPE size ADD VALUE 'm';
CREATE TABLE shirts (id int, size size DEFAULT 'm');
