-- revision: 001
-- down_revision: none

-- migrate:up
CREATE TABLE contacts (
    "first name" text,
    first_name text,
    "Email" text,
    email text
);
CREATE TABLE "line-items" (id int);
CREATE TABLE line_items (id int);

-- migrate:down
DROP TABLE line_items;
DROP TABLE "line-items";
DROP TABLE contacts;
