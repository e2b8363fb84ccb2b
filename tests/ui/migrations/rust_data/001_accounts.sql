-- revision: 001
-- down_revision: none
-- message: Accounts with an e-mail address

-- migrate:up
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    email_domain text
);
INSERT INTO accounts (email) VALUES ('ada@Example.com'), ('bob@test.org');

-- migrate:down
DROP TABLE accounts;
