-- CREATE TABLE records the columns (names folded, types normalised, serial and identity) and the
-- constraints with the names PostgreSQL gives them; a quoted table name keeps its case.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE "Users" (id serial PRIMARY KEY, Email varchar(255) NOT NULL UNIQUE, age int DEFAULT 0 CHECK (age >= 0), n bigint GENERATED ALWAYS AS IDENTITY);
