-- revision: b1
-- down_revision: none
-- message: Create invoices (billing service)

-- migrate:up
CREATE TABLE invoices (id bigint PRIMARY KEY, user_id bigint NOT NULL);

-- migrate:down
DROP TABLE invoices;
