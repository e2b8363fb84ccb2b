-- revision: 002
-- down_revision: 001

-- migrate:up
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint REFERENCES customers (id),
    user_email text REFERENCES users (email)
);

-- migrate:down
DROP TABLE orders;
